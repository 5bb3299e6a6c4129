// Issue 3 in VS Code: frame links in terminals and log documents, the Stack Traces view and its
// command, and files at a host's deployed revision. Everything is returned for the caller's store.
import * as vscode from 'vscode';
import { combinedDisposable } from '../../core/util/lifecycle';
import { loadTraceActions } from './bundle';
import { CommandId, registerCommand } from '../commands';
import type { Services } from '../services';
import type { TraceActions } from './actions';
import type { AnalyzeRequest } from './analyze';
import type { FrameTarget } from './frameTarget';
import { FrameDocumentLinks, FrameTerminalLinks, LOG_DOCUMENTS } from './links';
import { RevisionDocuments } from './revisionDocuments';
import { TracesView } from './tracesView';

export function registerTraceFeatures(services: Services): vscode.Disposable {
  const view = new TracesView();
  const mappings = services.pathMappings;
  let actions: TraceActions | undefined;
  const traceActions = () => (actions ??= loadTraceActions().createTraceActions(services, view, mappings));
  const openFrame = async (target: FrameTarget) => {
    try {
      await traceActions().open(target);
    } catch (error) {
      void vscode.window.showErrorMessage(
        `Could not open ${target.file}${target.host ? ` from ${target.host}` : ''}: ${(error as Error).message}`,
      );
    }
  };
  return combinedDisposable(
    view,
    new RevisionDocuments(),
    vscode.window.registerTerminalLinkProvider(new FrameTerminalLinks(services.inventory, openFrame)),
    vscode.languages.registerDocumentLinkProvider(LOG_DOCUMENTS, new FrameDocumentLinks()),
    registerCommand(CommandId.analyzeStackTrace, (request?: AnalyzeRequest) => traceActions().analyze(request)),
    registerCommand(CommandId.openTraceFrame, openFrame),
    services.inventory.onDidChange(() => actions?.forgetRevisions()),
    { dispose: () => actions?.dispose() },
  );
}
