// The Incident panel's drift section: each host with a deploy directory, its last check (or the
// check under way, or why it failed), and the diff and bring actions on its files. The work is the
// hotfix features' (DriftActions), the same code as "Show Drift on Host…".
import type { GuideDriftHost } from '../../webview/guide/protocol';
import type { DriftActions } from '../hotfix/driftActions';

export class DriftSection {
  private readonly states = new Map<string, GuideDriftHost>();

  constructor(
    private readonly actions: DriftActions | undefined,
    /** Called when a host's state changed, so the panel posts it. */
    private readonly changed: () => void,
  ) {}

  /** The hosts as the panel lists them; nothing without drift actions (a guest's window). */
  hosts(): GuideDriftHost[] {
    if (!this.actions) return [];
    return this.actions.hosts().map((host) => this.states.get(host) ?? { host, state: 'unchecked', changes: [] });
  }

  async check(host: string): Promise<void> {
    if (!this.actions || this.states.get(host)?.state === 'checking') return;
    this.states.set(host, { host, state: 'checking', changes: this.states.get(host)?.changes ?? [] });
    this.changed();
    try {
      const overview = await this.actions.check(host);
      this.states.set(host, { host, state: 'checked', ...overview });
    } catch (error) {
      this.states.set(host, { host, state: 'failed', problem: (error as Error).message, changes: [] });
    }
    this.changed();
  }

  async diff(host: string, path: string): Promise<void> {
    await this.actions?.openDiff(host, path);
  }

  async bring(host: string, path: string): Promise<void> {
    await this.actions?.bring(host, path);
  }
}
