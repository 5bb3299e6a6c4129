// The pool's record of one connection: a host reached directly or through the connection of its
// previous hop, its dial in progress, its backoff and its idle timer. See pool.ts for how they
// are used, and docs/architecture.md "SSH" for the lifecycle.
import type { Client } from 'ssh2';
import type { Backoff } from '../util/backoff';
import type { TimerHandle } from '../util/clock';
import { SshError, describeHost } from './errors';
import type { ResolvedHost } from './types';

export type HostState =
  { kind: 'idle' } | { kind: 'connecting' } | { kind: 'connected' } | { kind: 'error'; message: string; error: SshError };

export interface HostStateChange {
  /** The host's alias (a jump host reports under its own alias). */
  host: string;
  state: HostState;
}

export class PooledConnection {
  client: Client | undefined;
  dialing: Promise<Client> | undefined;
  /** Open channels, child connections and operations between lease and channel open. */
  users = 0;
  idleTimer: TimerHandle | undefined;
  /** Epoch ms before which the next dial waits (its backoff); 0 to dial at once. */
  retryAt = 0;
  /** Aborts the dial in progress when the user closes the connection meanwhile. */
  abortDial: AbortController | undefined;
  state: HostState = { kind: 'idle' };

  constructor(
    readonly key: string,
    /** Replaced by a fresh resolution before a dial, so edited settings apply to the next one. */
    public host: ResolvedHost,
    readonly parent: PooledConnection | undefined,
    /** Spaces failed dials; its sleep is the wait a user's "connect now" ends. */
    readonly backoff: Backoff,
  ) {}

  /**
   * A transient dial failure: the next dial waits the backoff's next delay. One that failed after the
   * host answered (a handshake cut short) shows the network is back: the delays start over.
   */
  dialFailed(now: number, reachedHost: boolean): void {
    if (reachedHost) this.backoff.succeeded();
    this.retryAt = now + this.backoff.failed();
  }

  /** The next dial (or the one waiting) goes at once; the failures still count. */
  skipWait(): void {
    this.retryAt = 0;
    this.backoff.wake();
  }

  /** Connected, or closed on purpose: the failures are forgotten. */
  resetBackoff(): void {
    this.backoff.succeeded();
    this.skipWait();
  }

  get where(): string {
    return describeHost(this.host);
  }

  /** Neither connected nor dialling: its settings can be replaced. */
  get isDormant(): boolean {
    return !this.client && !this.dialing;
  }
}

/** The pool key of each hop of a host's jump chain, first hop first (the host's own last). */
export function chainKeys(host: ResolvedHost): { key: string; hop: ResolvedHost }[] {
  const keys: { key: string; hop: ResolvedHost }[] = [];
  let key = '';
  for (const hop of [...host.proxyJump, host]) {
    key += `${key ? ' > ' : ''}${hop.alias}=${hop.user}@${hop.hostName}:${hop.port}`;
    keys.push({ key, hop });
  }
  return keys;
}

/** Everything that decides where, as whom and how a connection lands. */
export function endpointOf(host: ResolvedHost): string {
  const jumps = host.proxyJump.map(endpointOf).join(',');
  return `${host.user}@${host.hostName}:${host.port} [${host.identityFiles.join(',')}] ${host.strictHostKeyChecking} via (${jumps})`;
}

/** `work`, or a rejection as soon as `signal` aborts; a result that arrives after that goes to `discard`. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, discard: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) discard(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function disconnectedWhileConnecting(connection: PooledConnection): SshError {
  return new SshError('closed', connection.host.alias, `${connection.where}: disconnected while connecting.`);
}
