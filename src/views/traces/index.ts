// Issue 3 in VS Code: frame links in terminals and log documents, the Stack Traces view and its
// command, and files at a host's deployed revision. Everything is returned for the caller's store.
import * as vscode from 'vscode';
import { CommandId, registerCommand } from '../commands';
import type { Services } from '../services';
import { TraceAnalyzer, type AnalyzeRequest } from './analyze';
import { FrameNavigator } from './frameNavigator';
import type { FrameTarget } from './frameTarget';
import { FrameDocumentLinks, FrameTerminalLinks, LOG_DOCUMENTS } from './links';
import { RevisionDocuments } from './revisionDocuments';
import { TracesView } from './tracesView';
import { WorkspaceFiles } from './workspaceFiles';

export function registerTraceFeatures(services: Services): vscode.Disposable[] {
  const files = new WorkspaceFiles();
  const navigator = new FrameNavigator(services, files);
  const view = new TracesView();
  const analyzer = new TraceAnalyzer(services, navigator, view);
  const openFrame = async (target: FrameTarget) => {
    try {
      await navigator.open(target);
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not open ${target.file}${target.host ? ` from ${target.host}` : ''}: ${(error as Error).message}`);
    }
  };
  return [
    files,
    view,
    analyzer,
    new RevisionDocuments(),
    vscode.window.registerTerminalLinkProvider(new FrameTerminalLinks(services.inventory, openFrame)),
    vscode.languages.registerDocumentLinkProvider(LOG_DOCUMENTS, new FrameDocumentLinks()),
    registerCommand(CommandId.analyzeStackTrace, (request?: AnalyzeRequest) => analyzer.run(request)),
    registerCommand(CommandId.openTraceFrame, openFrame),
    services.inventory.onDidChange(() => navigator.revisions.forget()),
  ];
}
