// The Hosts view as plain data: groups, hosts, what each row says and which menu it gets. The
// VS Code TreeDataProvider only maps these nodes onto TreeItems.
import type { ResolvedHost } from '../ssh/types';
import type { InventoryHost } from './inventory';

export type ConnectionState = { kind: 'idle' } | { kind: 'connecting' } | { kind: 'connected' } | { kind: 'error'; message: string };

export interface HostNode {
  kind: 'host';
  /** Stable across refreshes: the host's inventory name. */
  id: string;
  label: string;
  /** State (when not idle) and tags, e.g. "connected · production, checkout". */
  description: string;
  /** Plain text, one fact per line: address, user, port, jumps, tags, origin, state or error. */
  tooltip: string;
  production: boolean;
  /**
   * `host.<state>` plus `.production` for production hosts, e.g. `host.connected.production`;
   * menus match it with `viewItem =~ /^host\.connected/`.
   */
  contextValue: string;
  state: ConnectionState;
  host: InventoryHost;
}

export interface GroupNode {
  kind: 'group';
  id: string;
  label: string;
  /** How many hosts, and how many of them are production. */
  description: string;
  /** True when any host in the group is production, so the group can be marked too. */
  production: boolean;
  contextValue: 'group';
  children: HostNode[];
}

export type HostTreeNode = GroupNode | HostNode;

/**
 * Groups first, by name; then the hosts without a group, at the top level. Hosts keep the
 * inventory's order (ssh config order, then hosts.json) within each level.
 */
export function buildHostTree(hosts: InventoryHost[], stateOf: (name: string) => ConnectionState): HostTreeNode[] {
  const groups = new Map<string, HostNode[]>();
  const ungrouped: HostNode[] = [];
  for (const host of hosts) {
    const node = hostNode(host, stateOf(host.name));
    if (host.group === undefined) {
      ungrouped.push(node);
    } else {
      const members = groups.get(host.group) ?? [];
      members.push(node);
      groups.set(host.group, members);
    }
  }
  const groupNodes = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, children]): GroupNode => {
      const production = children.filter((child) => child.production).length;
      return {
        kind: 'group',
        id: `group:${name}`,
        label: name,
        description: `${children.length} host${children.length === 1 ? '' : 's'}${production ? `, ${production} production` : ''}`,
        production: production > 0,
        contextValue: 'group',
        children,
      };
    });
  return [...groupNodes, ...ungrouped];
}

function hostNode(host: InventoryHost, state: ConnectionState): HostNode {
  const stateText = state.kind === 'idle' ? undefined : state.kind === 'connecting' ? 'connecting…' : state.kind;
  return {
    kind: 'host',
    id: host.name,
    label: host.name,
    description: [stateText, host.tags.join(', ') || undefined].filter(Boolean).join(' · '),
    tooltip: tooltipText(host, state),
    production: host.production,
    contextValue: `host.${state.kind}${host.production ? '.production' : ''}`,
    state,
    host,
  };
}

function tooltipText(host: InventoryHost, state: ConnectionState): string {
  const { ssh } = host;
  const lines = [host.production ? `${host.name} — PRODUCTION` : host.name, endpoint(ssh)];
  if (ssh.proxyJump.length > 0) lines.push(`via ${ssh.proxyJump.map(endpoint).join(' → ')}`);
  if (host.tags.length > 0) lines.push(`tags: ${host.tags.join(', ')}`);
  if (host.group !== undefined) lines.push(`group: ${host.group}`);
  lines.push(`from: ${describeOrigin(host)}`);
  if (ssh.needsOpenSsh.length > 0) lines.push(`uses OpenSSH ssh: ${ssh.needsOpenSsh.join('; ')}`);
  lines.push(state.kind === 'error' ? `error: ${state.message}` : `state: ${state.kind}`);
  return lines.join('\n');
}

function endpoint(ssh: ResolvedHost): string {
  return `${ssh.user}@${ssh.hostName}:${ssh.port}`;
}

function describeOrigin(host: InventoryHost): string {
  const where = host.ssh.source ? `${host.ssh.source.file}:${host.ssh.source.line}` : 'ssh config';
  switch (host.origin) {
    case 'ssh_config':
      return where;
    case 'hosts.json':
      return 'hosts.json';
    case 'both':
      return `${where} and hosts.json`;
  }
}
