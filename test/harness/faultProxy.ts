// A TCP proxy in front of a host for fault injection: cut every connection, stall traffic, or
// throttle it to a slow link. This kernel has no netem, so faults are made here in user space.
import { createServer, connect, type Socket } from 'node:net';
import { onExit } from './cleanup';
import type { ConfigurableHost } from './sshConfig';
import { nextLoopbackAddress, type SshHost } from './sshd';

/** How often a throttled link releases its allowance. */
const SLOW_TICK_MS = 50;

export interface FaultProxy {
  readonly address: string;
  readonly port: number;
  /** Connections accepted since the proxy started. */
  readonly connectionCount: number;
  /** Connections open right now. */
  readonly openConnections: number;
  /** Destroys every open connection (both sides), like a dropped link; new ones are accepted. */
  cut(): void;
  /** Stops forwarding bytes in both directions (open and new connections); queued until resume(). */
  stall(): void;
  /** Forwards at most `bytesPerSecond` in each direction of each connection. */
  slow(bytesPerSecond: number): void;
  /** Back to forwarding at full speed, releasing whatever was held. */
  resume(): void;
  stop(): Promise<void>;
}

type Mode = { kind: 'open' } | { kind: 'stalled' } | { kind: 'slow'; bytesPerSecond: number };

/** One direction of one connection: bytes wait here while the link is stalled or slow. */
class Pump {
  private queue: Buffer[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly to: Socket,
    private readonly mode: () => Mode,
  ) {}

  push(chunk: Buffer): void {
    this.queue.push(chunk);
    this.flush();
  }

  flush(): void {
    const mode = this.mode();
    if (mode.kind === 'open') {
      this.stopTimer();
      for (const chunk of this.queue) this.to.write(chunk);
      this.queue = [];
    } else if (mode.kind === 'slow') {
      this.timer ??= setInterval(() => this.release(mode.bytesPerSecond), SLOW_TICK_MS);
    } else {
      this.stopTimer();
    }
  }

  private release(bytesPerSecond: number): void {
    let allowance = Math.max(1, Math.floor((bytesPerSecond * SLOW_TICK_MS) / 1000));
    while (allowance > 0 && this.queue.length > 0) {
      const head = this.queue[0];
      const part = head.subarray(0, allowance);
      this.to.write(part);
      allowance -= part.length;
      if (part.length === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(part.length);
    }
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export async function startFaultProxy(options: {
  target: { address: string; port: number };
  /** Loopback address to listen on; the next free 127.0.0.x by default. */
  address?: string;
}): Promise<FaultProxy> {
  let mode: Mode = { kind: 'open' };
  let connectionCount = 0;
  const links = new Set<{ client: Socket; upstream: Socket; pumps: Pump[] }>();

  const server = createServer((client) => {
    connectionCount++;
    const upstream = connect(options.target.port, options.target.address);
    const toUpstream = new Pump(upstream, () => mode);
    const toClient = new Pump(client, () => mode);
    const link = { client, upstream, pumps: [toUpstream, toClient] };
    links.add(link);
    client.on('data', (chunk: Buffer) => toUpstream.push(chunk));
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk));
    const close = () => {
      if (!links.delete(link)) return;
      for (const pump of link.pumps) pump.stopTimer();
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  });
  const address = options.address ?? nextLoopbackAddress();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  const destroyAll = () => {
    for (const link of [...links]) {
      link.client.destroy();
      link.upstream.destroy();
    }
  };
  const exitHook = onExit(() => {
    destroyAll();
    server.close();
  });
  const setMode = (next: Mode) => {
    mode = next;
    for (const link of links)
      for (const pump of link.pumps) {
        pump.stopTimer();
        pump.flush();
      }
  };

  return {
    address,
    port,
    get connectionCount() {
      return connectionCount;
    },
    get openConnections() {
      return links.size;
    },
    cut: destroyAll,
    stall: () => setMode({ kind: 'stalled' }),
    slow: (bytesPerSecond) => setMode({ kind: 'slow', bytesPerSecond }),
    resume: () => setMode({ kind: 'open' }),
    stop: () =>
      new Promise<void>((resolve) => {
        exitHook.dispose();
        destroyAll();
        server.close(() => resolve());
      }),
  };
}

/**
 * `host` as reached through `proxy`, for a writeSshConfig entry: dialled at the proxy's address
 * and port, which is also the name its key is known by in known_hosts.
 */
export function viaProxy(host: SshHost, proxy: { address: string; port: number }): ConfigurableHost {
  return { ...host, address: proxy.address, port: proxy.port, knownHostsLine: () => `[${proxy.address}]:${proxy.port} ${host.hostKeyPub}` };
}
