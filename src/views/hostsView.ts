// The Hosts view: groups and hosts from the core's tree model, and under an expanded host its
// health (load per CPU, CPU, memory, uptime, top processes), refreshed while it is visible.
import * as vscode from 'vscode';
import { LOAD_PER_CPU_HIGH } from '../core/health/notable';
import { formatCpuBusy, formatLoad, formatMemory, formatUptime } from '../core/health/format';
import type { HealthMonitor } from '../core/health/monitor';
import type { HealthReading, ProcessHealth } from '../core/health/types';
import { isSshError, isTransient } from '../core/ssh/errors';
import { buildHostTree, type ConnectionState, type HostNode, type HostTreeNode } from '../core/hosts/tree';
import { Disposable, toDisposable } from '../core/util/lifecycle';
import type { InventoryService } from './inventoryService';
import type { LazyPool } from './lazyPool';

type ConnectionStates = Pick<LazyPool, 'state' | 'onDidChangeState'>;

type HealthNode =
  | { kind: 'figure'; host: string; key: string; label: string; icon: string; tooltip?: string }
  | { kind: 'processes'; host: string; processes: ProcessHealth[] }
  | { kind: 'process'; host: string; process: ProcessHealth }
  | { kind: 'message'; host: string; label: string; icon: string; color?: string };

/** Shown above the hosts when ssh_config or hosts.json has problems; opens the Problems panel. */
type ProblemsNode = { kind: 'problems'; count: number; files: string[] };

export type HostsViewNode = HostTreeNode | HealthNode | ProblemsNode;

const HOST_SCHEME = 'firefighter-host';

export class HostsView extends Disposable implements vscode.TreeDataProvider<HostsViewNode>, vscode.FileDecorationProvider {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<HostsViewNode | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly decorationEmitter = this._register(new vscode.EventEmitter<vscode.Uri[]>());
  readonly onDidChangeFileDecorations = this.decorationEmitter.event;
  readonly treeView: vscode.TreeView<HostsViewNode>;
  /** Hosts whose node is expanded: their health is refreshed while the view is visible. */
  private readonly expanded = new Set<string>();
  /**
   * Hosts whose health waits for Connect, with what their row says: the user disconnected (a read
   * would reconnect), or the login or host key needs the user (a read would ask again).
   */
  private readonly paused = new Map<string, string>();
  private roots: HostTreeNode[] = [];
  /** The last failed health read per host, cleared by the next good one. */
  private readonly healthErrors = new Map<string, string>();

  constructor(
    private readonly inventory: InventoryService,
    private readonly connections: ConnectionStates,
    private readonly health: HealthMonitor,
  ) {
    super();
    this.treeView = this._register(
      vscode.window.createTreeView('firefighter.hosts', { treeDataProvider: this, showCollapseAll: true, canSelectMany: true }),
    );
    // Disposed first (last registered): the hosts it reads are not left refreshing.
    const registrations = [
      vscode.window.registerFileDecorationProvider(this),
      inventory.onDidChange(() => {
        this.changeEmitter.fire(undefined);
        this.decorationEmitter.fire(inventory.hosts.map((host) => hostUri(host.name)));
      }),
      // Host rows carry their state: rebuild the model, then re-render just that host.
      connections.onDidChangeState(({ host }) => {
        this.rebuildRoots();
        this.refreshHost(host);
      }),
      this.treeView.onDidExpandElement(({ element }) => {
        if (element.kind === 'host') this.watch(element.id);
      }),
      this.treeView.onDidCollapseElement(({ element }) => {
        if (element.kind === 'host') {
          this.expanded.delete(element.id);
          this.health.stop(element.id);
        }
      }),
      this.treeView.onDidChangeVisibility(({ visible }) => {
        for (const host of this.expanded) {
          if (visible) this.watch(host);
          else this.health.stop(host);
        }
      }),
      this.health.onDidSample(({ host }) => {
        this.healthErrors.delete(host);
        this.refreshHost(host);
      }),
      this.health.onDidFail(({ host, error }) => {
        // A refused login or host key needs the user: reading again would ask again every interval.
        if (isSshError(error) && !isTransient(error)) return this.pauseHealth(host, `${error.message} Use Connect to try again.`);
        this.healthErrors.set(host, error.message);
        this.refreshHost(host);
      }),
      toDisposable(() => {
        for (const host of this.expanded) this.health.stop(host);
      }),
    ];
    for (const registration of registrations) this._register(registration);
  }

  /** The host's node in the last rebuilt tree. */
  private hostNode(name: string): HostNode | undefined {
    return this.allHostNodes().find((node) => node.id === name);
  }

  private allHostNodes(): HostNode[] {
    return this.roots.flatMap((node) => (node.kind === 'group' ? node.children : [node]));
  }

  private watch(host: string): void {
    this.expanded.add(host);
    if (this.treeView.visible && !this.paused.has(host)) this.health.start(host);
  }

  /** Reloads the host files and reads every expanded host's health now. */
  refresh(): void {
    this.inventory.reload();
    for (const host of this.expanded) this.health.refresh(host);
  }

  /** Stops reading a host's health until `resumeHealth`; `reason` is what its row says meanwhile. */
  pauseHealth(host: string, reason = 'Disconnected. Connect to read its health again.'): void {
    this.paused.set(host, reason);
    this.health.stop(host);
    this.refreshHost(host);
  }

  /** After Connect: an expanded host reads its health again. */
  resumeHealth(host: string): void {
    if (!this.paused.delete(host)) return;
    if (this.expanded.has(host)) this.watch(host);
    this.refreshHost(host);
  }

  /**
   * Rebuilds the tree model from the inventory and connection states. Rows keep their element
   * objects (updated in place): VS Code refers to rows by element, and a context-menu command
   * on a row that was swapped for a new object fails with "No tree item … found".
   */
  private rebuildRoots(): void {
    const previous = new Map<string, HostTreeNode>();
    for (const node of this.roots) {
      previous.set(node.id, node);
      if (node.kind === 'group') for (const child of node.children) previous.set(child.id, child);
    }
    const keep = <T extends HostTreeNode>(fresh: T): T => {
      const old = previous.get(fresh.id);
      return old && old.kind === fresh.kind ? Object.assign(old as T, fresh) : fresh;
    };
    this.roots = buildHostTree(this.inventory.hosts, (name) => this.connections.state(name)).map((node) =>
      node.kind === 'group' ? keep({ ...node, children: node.children.map(keep) }) : keep(node),
    );
  }

  /** Re-renders a host's row and its health rows. */
  private refreshHost(host: string): void {
    const node = this.hostNode(host);
    if (node) this.changeEmitter.fire(node);
  }

  getTreeItem(node: HostsViewNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.description = node.description;
        item.contextValue = node.contextValue;
        item.iconPath = new vscode.ThemeIcon('server-environment', node.production ? new vscode.ThemeColor('charts.red') : undefined);
        return item;
      }
      case 'host': {
        const item = new vscode.TreeItem(
          node.label,
          this.expanded.has(node.id) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = node.id;
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.contextValue = node.contextValue;
        item.resourceUri = hostUri(node.id);
        item.iconPath = stateIcon(node.state);
        return item;
      }
      case 'figure': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.host}/${node.key}`;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.tooltip;
        return item;
      }
      case 'processes': {
        const item = new vscode.TreeItem('Top processes', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.host}/processes`;
        item.iconPath = new vscode.ThemeIcon('list-ordered');
        item.description = `${node.processes.length} by CPU`;
        return item;
      }
      case 'process': {
        const p = node.process;
        const item = new vscode.TreeItem(
          `${p.cpuPercent.toFixed(1)}%  ${programAndArguments(p.command)}`,
          vscode.TreeItemCollapsibleState.None,
        );
        item.id = `${node.host}/process/${p.pid}`;
        item.description = `pid ${p.pid} · ${p.user} · ${p.memPercent.toFixed(1)}% mem`;
        item.tooltip = `${p.command}\npid ${p.pid}, user ${p.user}\n${p.cpuPercent.toFixed(1)}% CPU, ${p.memPercent.toFixed(1)}% memory`;
        item.contextValue = 'process';
        item.iconPath = new vscode.ThemeIcon('gear');
        return item;
      }
      case 'problems': {
        const item = new vscode.TreeItem(
          `${node.count} problem${node.count === 1 ? '' : 's'} in host files`,
          vscode.TreeItemCollapsibleState.None,
        );
        item.id = 'problems';
        item.description = node.files.map((file) => file.slice(file.lastIndexOf('/') + 1)).join(', ');
        item.tooltip = `Lines that were skipped in ${node.files.join(', ')}; the other hosts still load. Select to see them in the Problems panel.`;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.command = { command: 'workbench.actions.view.problems', title: 'Show Problems' };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.host}/message`;
        item.iconPath = new vscode.ThemeIcon(node.icon, node.color ? new vscode.ThemeColor(node.color) : undefined);
        item.tooltip = node.label;
        return item;
      }
    }
  }

  getChildren(node?: HostsViewNode): HostsViewNode[] {
    if (!node) {
      this.rebuildRoots();
      const problems = this.inventory.inventory.errors;
      if (problems.length === 0) return this.roots;
      return [{ kind: 'problems', count: problems.length, files: [...new Set(problems.map((p) => p.file))] }, ...this.roots];
    }
    if (node.kind === 'group') return node.children;
    if (node.kind === 'processes') return node.processes.map((process) => ({ kind: 'process', host: node.host, process }));
    if (node.kind !== 'host') return [];
    // VS Code asks for a host's children when it is expanded: start reading its health.
    this.watch(node.id);
    const paused = this.paused.get(node.id);
    if (paused) return [{ kind: 'message', host: node.id, label: paused, icon: 'debug-disconnect' }];
    const state = this.connections.state(node.id);
    const healthError = this.healthErrors.get(node.id);
    if (state.kind !== 'error' && healthError)
      return [{ kind: 'message', host: node.id, label: healthError, icon: 'error', color: 'errorForeground' }];
    return healthNodes(node.id, state, this.health.latest(node.id));
  }

  getParent(node: HostsViewNode): HostsViewNode | undefined {
    if (node.kind === 'group' || node.kind === 'problems') return undefined;
    if (node.kind === 'host')
      return this.roots.find((root) => root.kind === 'group' && root.children.some((child) => child.id === node.id));
    return this.hostNode(node.host);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== HOST_SCHEME) return undefined;
    const host = this.inventory.host(decodeURIComponent(uri.path.slice(1)));
    if (!host?.production) return undefined;
    return new vscode.FileDecoration('P', 'Production host: state-changing actions ask first', new vscode.ThemeColor('charts.red'));
  }
}

function hostUri(name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: HOST_SCHEME, path: `/${encodeURIComponent(name)}` });
}

/** "/usr/bin/python3 /srv/app.py" -> "python3 /srv/app.py": the program's name is what a row must show. */
function programAndArguments(command: string): string {
  if (command.startsWith('[')) return command; // a kernel thread
  const space = command.indexOf(' ');
  const program = space < 0 ? command : command.slice(0, space);
  return program.slice(program.lastIndexOf('/') + 1) + (space < 0 ? '' : command.slice(space));
}

function stateIcon(state: ConnectionState): vscode.ThemeIcon {
  switch (state.kind) {
    case 'idle':
      return new vscode.ThemeIcon('vm-outline');
    case 'connecting':
      return new vscode.ThemeIcon('loading~spin');
    case 'connected':
      return new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('charts.green'));
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  }
}

function healthNodes(host: string, state: ConnectionState, reading: HealthReading | undefined): HealthNode[] {
  if (state.kind === 'error') return [{ kind: 'message', host, label: state.message, icon: 'error', color: 'errorForeground' }];
  if (!reading)
    return [{ kind: 'message', host, label: state.kind === 'connecting' ? 'Connecting…' : 'Reading health…', icon: 'loading~spin' }];
  if (!reading.available) return [{ kind: 'message', host, label: reading.reason, icon: 'info' }];
  const overloaded = reading.loadPerCpu >= LOAD_PER_CPU_HIGH;
  return [
    {
      kind: 'figure',
      host,
      key: 'load',
      label: formatLoad(reading),
      icon: overloaded ? 'flame' : 'dashboard',
      tooltip: `Load averages over 1, 5 and 15 minutes on ${reading.cpus} CPUs. Above 1.0 per CPU, work is queueing.`,
    },
    { kind: 'figure', host, key: 'cpu', label: formatCpuBusy(reading), icon: 'pulse' },
    {
      kind: 'figure',
      host,
      key: 'memory',
      label: formatMemory(reading),
      icon: 'database',
      tooltip: 'Used (total minus available) of total memory',
    },
    { kind: 'figure', host, key: 'uptime', label: formatUptime(reading.uptimeSeconds), icon: 'clock' },
    { kind: 'processes', host, processes: reading.processes },
  ];
}
