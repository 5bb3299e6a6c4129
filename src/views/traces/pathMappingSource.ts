// Feeds the core's path-mapping rules (src/core/traces/pathMappingRules.ts) from the
// `firefighter.pathMappings` setting, now and whenever it or the workspace folders change; entries
// that are not rules are reported once.
import * as vscode from 'vscode';
import type { PathMappingRules } from '../../core/traces/pathMappingRules';
import { workspaceFolderRefs } from './frameResolver';
import { readPathMappings } from './pathMappingSettings';

export function feedPathMappings(target: PathMappingRules): vscode.Disposable {
  let lastReported = '[]';
  const read = () => {
    const raw = vscode.workspace.getConfiguration('firefighter').get<unknown>('pathMappings');
    const { rules, problems } = readPathMappings(raw, workspaceFolderRefs());
    const key = JSON.stringify(problems);
    if (problems.length > 0 && key !== lastReported) {
      void vscode.window.showWarningMessage(
        `Some firefighter.pathMappings entries are ignored: ${problems.map((p) => p.message).join('; ')}.`,
      );
    }
    lastReported = key;
    target.set(rules);
  };
  read();
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('firefighter.pathMappings')) read();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(read),
  );
}
