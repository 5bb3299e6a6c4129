// The incident guide in VS Code (issue 10). Activation only registers the commands and the panel;
// the incident code loads from dist/incident.js on first use, or right after activation when the
// workspace already has incidents (so the timeline records from the start). See
// docs/architecture.md, "Incidents".
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { combinedDisposable } from '../../core/util/lifecycle';
import { CommandId, registerCommand } from '../commands';
import type * as IncidentBundle from './features';

function loadIncidentBundle(): typeof IncidentBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./incident.js');
}

export function registerIncidentFeatures(services: IncidentBundle.IncidentServices, context: vscode.ExtensionContext): vscode.Disposable {
  // A Live Share guest's workspace is the host's, on the vsls: scheme: the same incident files.
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file' || f.uri.scheme === 'vsls');
  if (!folder) {
    const noFolder = () =>
      void vscode.window.showWarningMessage(
        'Open the repository folder first: incidents are kept in its incidents/ folder, beside the code.',
      );
    return combinedDisposable(registerCommand(CommandId.startIncident, noFolder), registerCommand(CommandId.writeUp, noFolder));
  }
  let features: IncidentBundle.IncidentFeatures | undefined;
  const load = () => (features ??= loadIncidentBundle().createIncidentFeatures(services, context, folder));
  const early = folder.uri.scheme === 'file' && existsSync(path.join(folder.uri.fsPath, 'incidents')) ? setTimeout(load, 0) : undefined;
  return combinedDisposable(
    vscode.window.registerWebviewViewProvider('firefighter.guide', {
      resolveWebviewView: (view, resolveContext, token) => load().resolveWebviewView(view, resolveContext, token),
    }),
    registerCommand(CommandId.startIncident, () => load().startIncident()),
    registerCommand(CommandId.writeUp, () => load().writeUp()),
    { dispose: () => (early ? clearTimeout(early) : undefined) },
    { dispose: () => features?.dispose() },
  );
}
