// Where each host was last dialled. A pooled connection outlives edits to ssh_config or
// hosts.json; comparing endpoints tells which connections now go to the wrong place.
import type { ResolvedHost } from './types';

/** Everything that decides where and as whom a connection lands. */
export function endpointOf(host: ResolvedHost): string {
  const jumps = host.proxyJump.map(endpointOf).join(',');
  return `${host.user}@${host.hostName}:${host.port} [${host.identityFiles.join(',')}] via (${jumps})`;
}

export class DialledEndpoints {
  private readonly endpoints = new Map<string, string>();

  record(name: string, host: ResolvedHost): void {
    this.endpoints.set(name, endpointOf(host));
  }

  /** Hosts that now resolve elsewhere (or not at all); they are forgotten, to be recorded again when dialled. */
  takeMoved(resolve: (name: string) => ResolvedHost | undefined): string[] {
    const moved: string[] = [];
    for (const [name, endpoint] of this.endpoints) {
      const host = resolve(name);
      if (host && endpointOf(host) === endpoint) continue;
      this.endpoints.delete(name);
      moved.push(name);
    }
    return moved;
  }
}
