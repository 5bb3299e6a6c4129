// The drift of the Incident panel: checks a host through the same code as "Show Drift on Host…"
// and keeps each host's last report, so the panel's diff and bring act on what it lists.
import type { InventoryHost } from '../../core/hosts/inventory';
import { driftSummary } from '../../core/hotfix/format';
import type { DriftReport } from '../../core/hotfix/drift';
import type { Services } from '../services';
import { bringChange, openDiff, readDriftReport } from './drift';
import type { DriftActions } from './driftActions';

export function createDriftPanelActions(services: Services, repository: () => Promise<string | undefined>): DriftActions {
  const last = new Map<string, { repo: string; host: InventoryHost; report: DriftReport }>();
  const checked = (name: string, path: string) => {
    const entry = last.get(name);
    const change = entry?.report.changes.find((c) => c.path === path);
    if (!entry || !change) throw new Error(`${path} is not in the last drift check of ${name}; check the host again.`);
    return { ...entry, change };
  };
  return {
    hosts: () => services.inventory.hosts.filter((host) => host.deployDir).map((host) => host.name),
    check: async (name) => {
      const host = services.inventory.host(name);
      if (!host) throw new Error(`No host named ${name} in the inventory any more; refresh the Hosts view.`);
      const repo = await repository();
      if (!repo) throw new Error('Open the git repository of the deployed code as the workspace folder first.');
      const report = await readDriftReport(services, repo, host);
      last.set(name, { repo, host, report });
      return {
        summary: driftSummary(report),
        truncated: report.truncated,
        changes: report.changes.map(({ path, kind }) => ({ path, kind })),
      };
    },
    openDiff: async (name, path) => {
      const { repo, host, report, change } = checked(name, path);
      await openDiff(repo, host, report, change);
    },
    bring: async (name, path) => {
      const { repo, host, change } = checked(name, path);
      await bringChange(services, repo, host, change);
    },
  };
}
