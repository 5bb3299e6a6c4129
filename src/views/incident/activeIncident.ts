// Which incident the timeline records into and the panel shows: chosen per window (workspace
// state), by default the newest one still active. Shown in the status bar.
import * as vscode from 'vscode';
import type { IncidentStore } from '../../core/incident/store';
import type { Incident } from '../../core/incident/types';

const KEY = 'firefighter.activeIncident';

export class ActiveIncident implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<string | undefined>();
  readonly onDidChange = this.changeEmitter.event;
  private current: string | undefined;
  private readonly statusBar = vscode.window.createStatusBarItem('firefighter.incident', vscode.StatusBarAlignment.Left, 50);

  constructor(
    private readonly store: IncidentStore,
    private readonly state: vscode.Memento,
  ) {
    this.current = state.get<string>(KEY);
    this.statusBar.name = 'Firefighter: active incident';
    this.statusBar.command = 'firefighter.guide.focus';
  }

  /** Falls back to the newest active incident when none was chosen (or the chosen one is gone). */
  async load(): Promise<void> {
    const chosen = this.current ? await this.store.read(this.current).catch(() => undefined) : undefined;
    if (chosen) return this.show(chosen);
    this.current = undefined;
    // ids() lists the newest first (ids start with their date).
    for (const id of await this.store.ids().catch(() => [] as string[])) {
      const incident = await this.store.read(id).catch(() => undefined);
      if (incident?.status === 'active') {
        this.current = id;
        return this.show(incident);
      }
    }
    await this.show(undefined);
  }

  id(): string | undefined {
    return this.current;
  }

  async set(id: string | undefined): Promise<void> {
    this.current = id;
    await this.state.update(KEY, id);
    await this.show();
    this.changeEmitter.fire(id);
  }

  /** Shows the active incident in the status bar: `incident` when the caller has just read it. */
  private async show(incident?: Incident): Promise<void> {
    incident ??= this.current ? await this.store.read(this.current).catch(() => undefined) : undefined;
    if (!incident) {
      this.statusBar.hide();
      return;
    }
    this.statusBar.text = `$(flame) ${incident.severity} ${incident.title}`;
    this.statusBar.tooltip = `Active incident ${incident.id} (${incident.status}): the timeline records what you do. Click to open the Incident panel.`;
    this.statusBar.backgroundColor =
      incident.severity === 'SEV1' || incident.severity === 'SEV2' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.statusBar.show();
  }

  dispose(): void {
    this.statusBar.dispose();
    this.changeEmitter.dispose();
  }
}
