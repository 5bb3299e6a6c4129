// The log commands, registered at activation; what they do loads from dist/logs.js on the first
// one (./bundle.ts), so following logs adds nothing to activation. The hosts are chosen
// here (the Hosts view's selection, or a pick from the palette) before anything loads.
import type * as vscode from 'vscode';
import type { InventoryHost } from '../../core/hosts/inventory';
import type { HostNode } from '../../core/hosts/tree';
import { combinedDisposable } from '../../core/util/lifecycle';
import { loadLogFeatures } from './bundle';
import { CommandId, registerCommand } from '../commands';
import { pickHost } from '../hostCommands';
import type { Services } from '../services';
import type { LogFeatures } from './features';
import { LogDocuments } from './logDocuments';

export function registerLogFeatures(services: Services): vscode.Disposable {
  const documents = new LogDocuments();
  let loaded: LogFeatures | undefined;
  const features = () => (loaded ??= loadLogFeatures().createLogFeatures(services, documents));
  return combinedDisposable(
    documents,
    // From the Hosts view VS Code passes the clicked row and every selected row (canSelectMany):
    // with several hosts selected the logs are asked once and followed on each of them.
    registerCommand(CommandId.tailLog, async (node?: { kind: string }, selected?: readonly { kind: string }[]) => {
      const hosts = selectedHosts(services, node, selected);
      if (hosts.length === 0) {
        if (node && isHostNode(node)) return;
        const host = await pickHost(services, 'Tail a log on which host?');
        if (host) hosts.push(host);
      }
      if (hosts.length > 0) await features().tailLog(hosts);
    }),
    registerCommand(CommandId.logsTogglePause, () => features().togglePause()),
    registerCommand(CommandId.logsChangeFilter, () => features().changeFilter()),
    registerCommand(CommandId.logsOpenInEditor, () => features().openInEditor()),
    registerCommand(CommandId.logsSaveExcerpt, (uri?: vscode.Uri) => features().saveExcerpt(uri)),
    { dispose: () => loaded?.dispose() },
  );
}

/**
 * The inventory hosts a Hosts-view command applies to: every selected host row when the clicked
 * one is among them (VS Code's multi-select convention), the clicked one first (its logs are the
 * ones listed); else the clicked one; none from the palette.
 */
function selectedHosts(
  services: Services,
  node: { kind: string } | undefined,
  selected: readonly { kind: string }[] | undefined,
): InventoryHost[] {
  if (!node || !isHostNode(node)) return [];
  const rows = selected?.filter(isHostNode) ?? [];
  const nodes = rows.some((n) => n.id === node.id) ? [node, ...rows] : [node];
  const hosts: InventoryHost[] = [];
  for (const n of nodes) {
    const host = services.inventory.host(n.id);
    if (host && !hosts.some((h) => h.name === host.name)) hosts.push(host);
  }
  return hosts;
}

function isHostNode(node: { kind: string }): node is HostNode {
  return node.kind === 'host';
}
