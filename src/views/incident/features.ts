// The incident guide's heavy half, loaded from dist/incident.js (see ./index.ts): the Incident
// panel, Start Incident and Write Up, the status bar's active incident, and the recorder that
// writes every event of the stream to the active incident's timeline (docs/architecture.md,
// "Incidents").
import { userInfo } from 'node:os';
import * as vscode from 'vscode';
import type { EventBus } from '../../core/events';
import { IncidentJournal } from '../../core/incident/journal';
import { IncidentRecorder } from '../../core/incident/recorder';
import { SeenBeforeWatcher } from '../../core/incident/seenBefore';
import { IncidentStore } from '../../core/incident/store';
import { SEVERITIES, type Severity } from '../../core/incident/types';
import type { InventoryHost } from '../../core/hosts/inventory';
import type { DriftActions } from '../hotfix/driftActions';
import { ActiveIncident } from './activeIncident';
import { GuideView } from './guideView';
import { liveShareApi } from './liveShare';
import { searchPastIncidents, showSeenBefore, type PastIncidentsContext } from './pastIncidents';
import { Presence } from './presence';
import { workspaceFiles } from './workspaceFiles';

export interface IncidentServices {
  events: EventBus;
  inventory: { readonly hosts: readonly InventoryHost[] };
  pool: { state(name: string): { kind: string } };
  /** Where failures of the recorder are reported. */
  log: { error(message: string): void };
}

export interface IncidentFeatures extends vscode.Disposable, vscode.WebviewViewProvider {
  startIncident(): Promise<void>;
  writeUp(): Promise<void>;
  searchPastIncidents(): Promise<void>;
}

export function createIncidentFeatures(
  services: IncidentServices,
  context: vscode.ExtensionContext,
  folder: vscode.WorkspaceFolder,
  drift?: DriftActions,
): IncidentFeatures {
  const who = userInfo().username;
  // A Live Share guest reads and writes the host's files through workspace.fs and records nothing
  // itself: what happens on the hosts is recorded once, in the host's window.
  const guest = folder.uri.scheme !== 'file';
  const store = guest ? new IncidentStore(folder.uri.path, { files: workspaceFiles(folder.uri) }) : new IncidentStore(folder.uri.fsPath);
  const journal = new IncidentJournal(store, { events: services.events, who });
  const active = new ActiveIncident(store, context.workspaceState);
  void active.load();
  const recorder = guest
    ? undefined
    : new IncidentRecorder(journal, services.events, {
        activeIncident: () => active.id(),
        onError: (error) => services.log.error(`Could not write to the incident's timeline: ${(error as Error).message}`),
      });
  const uriOf = (file: string) => (guest ? folder.uri.with({ path: file }) : vscode.Uri.file(file));
  const past: PastIncidentsContext = { journal, activeIncident: () => active.id(), record: !guest, uriOf };
  const seenBefore = new SeenBeforeWatcher(journal, services.events, {
    activeIncident: () => active.id(),
    record: !guest,
    onFound: (trace, hits) => void showSeenBefore(past, trace, hits),
    onError: (error) => services.log.error(`Could not search past incidents: ${(error as Error).message}`),
  });

  const startIncident = async () => {
    const title = await vscode.window.showInputBox({
      title: 'Start Incident (1/4)',
      prompt: 'What is wrong, in a few words',
      placeHolder: 'Checkout times out',
    });
    if (!title?.trim()) return;
    const severity = await vscode.window.showQuickPick(
      SEVERITIES.map((s, i) => ({ label: s, description: ['everything is down', 'a major feature is down', 'degraded', 'minor'][i] })),
      { title: 'Start Incident (2/4): severity' },
    );
    if (!severity) return;
    const connected = (host: InventoryHost) => services.pool.state(host.name).kind === 'connected';
    const hosts = await vscode.window.showQuickPick(
      [...services.inventory.hosts]
        .sort((a, b) => Number(connected(b)) - Number(connected(a)))
        .map((host) => ({
          label: host.name,
          description: [connected(host) ? 'connected' : undefined, ...host.tags].filter(Boolean).join(' · '),
          picked: connected(host),
        })),
      { title: 'Start Incident (3/4): hosts involved', canPickMany: true, placeHolder: 'Choose none if unknown yet' },
    );
    if (!hosts) return;
    const commander = await vscode.window.showInputBox({ title: 'Start Incident (4/4): incident commander', value: who });
    if (commander === undefined) return;
    try {
      const incident = await journal.start({
        title,
        severity: severity.label as Severity,
        hosts: hosts.map((h) => h.label),
        commander: commander.trim() || undefined,
      });
      await active.set(incident.id);
      await vscode.commands.executeCommand('firefighter.guide.focus');
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not start the incident: ${(error as Error).message}`);
    }
  };

  const writeUp = async () => {
    const id = active.id();
    if (!id)
      return void vscode.window.showWarningMessage('No active incident to write up: start one, or choose one in the Incident panel.');
    try {
      await vscode.window.showTextDocument(uriOf(await journal.writeUp(id)), { preview: false });
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not write up ${id}: ${(error as Error).message}`);
    }
  };

  // Live Share presence, once its API answers (never, when the extension is absent).
  let presence = new Presence(null, () => undefined);
  const guide = new GuideView({
    extensionUri: context.extensionUri,
    folder,
    journal,
    active,
    guest,
    // Drift runs on hosts: never from a guest's window.
    drift: guest ? undefined : drift,
    uriOf,
    people: () => presence.people(),
    commands: { startIncident, writeUp, searchPastIncidents: () => searchPastIncidents(past) },
  });
  let disposed = false;
  void liveShareApi(context.extension.id).then((api) => {
    if (!api || disposed) return;
    presence = new Presence(api, () => guide.refreshSoon());
    guide.refreshSoon();
  });
  return {
    startIncident,
    writeUp,
    searchPastIncidents: () => searchPastIncidents(past),
    resolveWebviewView: (view, resolveContext, token) => guide.resolveWebviewView(view, resolveContext, token),
    dispose: () => {
      disposed = true;
      presence.dispose();
      guide.dispose();
      seenBefore.dispose();
      recorder?.dispose();
      active.dispose();
    },
  };
}
