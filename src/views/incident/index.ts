// The incident guide in VS Code. Activation only registers the commands and the panel;
// the incident code loads from dist/incident.js on first use, or right after activation when the
// workspace already has incidents (so the timeline records from the start). See
// docs/architecture.md, "Incidents".
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { combinedDisposable } from '../../core/util/lifecycle';
import { CommandId, registerCommand } from '../commands';
import type { DriftActions } from '../hotfix/driftActions';
import { loadIncidentFeatures } from './bundle';
import type * as IncidentBundle from './features';

export function registerIncidentFeatures(
  services: IncidentBundle.IncidentServices,
  context: vscode.ExtensionContext,
  drift?: DriftActions,
): vscode.Disposable {
  // A Live Share guest's workspace is the host's, on the vsls: scheme: the same incident files.
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file' || f.uri.scheme === 'vsls');
  if (!folder) {
    const noFolder = () =>
      void vscode.window.showWarningMessage(
        'Open the repository folder first: incidents are kept in its incidents/ folder, beside the code.',
      );
    return combinedDisposable(
      registerCommand(CommandId.startIncident, noFolder),
      registerCommand(CommandId.writeUp, noFolder),
      registerCommand(CommandId.searchPastIncidents, noFolder),
    );
  }
  let features: IncidentBundle.IncidentFeatures | undefined;
  const load = () => (features ??= loadIncidentFeatures().createIncidentFeatures(services, context, folder, drift));
  // Checked after activation, off its path: a workspace with incidents records from the start.
  const early =
    folder.uri.scheme === 'file'
      ? setTimeout(
          () =>
            void stat(path.join(folder.uri.fsPath, 'incidents')).then(
              () => load(),
              () => undefined,
            ),
          0,
        )
      : undefined;
  return combinedDisposable(
    vscode.window.registerWebviewViewProvider('firefighter.guide', {
      resolveWebviewView: (view, resolveContext, token) => load().resolveWebviewView(view, resolveContext, token),
    }),
    registerCommand(CommandId.startIncident, () => load().startIncident()),
    registerCommand(CommandId.writeUp, () => load().writeUp()),
    registerCommand(CommandId.searchPastIncidents, () => load().searchPastIncidents()),
    { dispose: () => (early ? clearTimeout(early) : undefined) },
    { dispose: () => features?.dispose() },
  );
}
