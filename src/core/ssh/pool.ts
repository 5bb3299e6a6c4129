// One ssh2 connection per host, shared by every channel: exec, streaming exec, pty shells and
// port forwards. Jump hosts are pooled connections too (the target's TCP stream is a channel on
// the last hop). Connections close when idle, drop with a clear error on their open channels,
// and reconnect on next use, spacing failed attempts with exponential backoff. This file is the
// connection lifecycle; what runs on a channel is in channels.ts (docs/architecture.md, "SSH").
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { noEvents, type EventPublisher } from '../events/bus';
import { systemClock, type Clock } from '../util/clock';
import { Backoff } from '../util/backoff';
import { EventEmitter, type Disposable, type Event } from '../util/events';
import { CredentialCache, type AuthSettings } from './auth';
import { collectExec, openChannelOn, watchProcess, type OpenChannel, type OpenedChannel, type SshProcess } from './channels';
import { CommandLog } from './commandLog';
import { connectSsh } from './connection';
import { SshError, describeHost, isTransient } from './errors';
import { publishConnectionChange, type CloseReason } from './connectionEvents';
import {
  PooledConnection,
  chainKeys,
  disconnectedWhileConnecting,
  endpointOf,
  untilAborted,
  type HostState,
  type HostStateChange,
} from './pooledConnection';
import type { ExecOptions, ExecResult, PtyOptions } from './remote';
import { SshRunner } from './runner';
import type { ResolvedHost } from './types';

export type { HostState, HostStateChange } from './pooledConnection';
export { SshProcess } from './channels';
export { SshRunner } from './runner';

export interface SshPoolOptions extends AuthSettings {
  /** The host as ssh_config / hosts.json describe it; called before every dial, so edits apply to the next one. */
  resolveHost(name: string): ResolvedHost | Promise<ResolvedHost>;
  /** Reaching a host and logging in, prompts excluded. Default 15 s. */
  connectTimeoutMs?: number;
  /** SSH keepalive probe interval; a connection is dropped after `keepaliveCountMax` unanswered. Default 15 s × 3. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** A connection with no open channel closes after this long; 0 keeps it. Default 5 min. */
  idleTimeoutMs?: number;
  /** Delay before the next attempt after consecutive failed connects: initial × 2^(n-1), capped. Default 1 s … 30 s. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Cap on each of stdout and stderr collected by exec. Default 16 MiB. */
  maxExecOutputBytes?: number;
  /** Where `command.*` and `connection.changed` go (docs/architecture.md, "Events"). */
  events?: EventPublisher;
  /** Backoff, idle and exec timeouts, and command durations. */
  clock?: Clock;
}

const DEFAULTS = {
  connectTimeoutMs: 15_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  idleTimeoutMs: 5 * 60_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 30_000,
  maxExecOutputBytes: 16 * 1024 * 1024,
};

export class SshPool implements Disposable {
  private readonly stateEmitter = new EventEmitter<HostStateChange>();
  readonly onDidChangeState: Event<HostStateChange> = this.stateEmitter.event;

  private readonly connections = new Map<string, PooledConnection>();
  /** The connection each inventory name last resolved to. */
  private readonly byName = new Map<string, PooledConnection>();
  private readonly runners = new Map<string, SshRunner>();
  private readonly credentials = new CredentialCache();
  /** Why a client went away, for the channels that were open on it. */
  private readonly lostReasons = new WeakMap<Client, SshError>();
  private readonly settings: typeof DEFAULTS;
  private readonly events: EventPublisher;
  private readonly clock: Clock;
  private readonly commands: CommandLog;
  private disposed = false;

  constructor(private readonly options: SshPoolOptions) {
    this.settings = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax ?? DEFAULTS.keepaliveCountMax,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
      backoffInitialMs: options.backoffInitialMs ?? DEFAULTS.backoffInitialMs,
      backoffMaxMs: options.backoffMaxMs ?? DEFAULTS.backoffMaxMs,
      maxExecOutputBytes: options.maxExecOutputBytes ?? DEFAULTS.maxExecOutputBytes,
    };
    this.events = options.events ?? noEvents;
    this.clock = options.clock ?? systemClock;
    this.commands = new CommandLog(this.events, this.clock, 'pool');
  }

  /** The host's state as the hosts view shows it. */
  state(name: string): HostState {
    return this.byName.get(name)?.state ?? { kind: 'idle' };
  }

  /** The runner for a host; it connects on first use. */
  runner(name: string): SshRunner {
    let runner = this.runners.get(name);
    if (!runner) {
      runner = new SshRunner(this, name);
      this.runners.set(name, runner);
    }
    return runner;
  }

  /**
   * Connects (e.g. when the user expands the host) and resolves with its runner. `now` is for a
   * user's action: it does not wait out the backoff between automatic retries of a failing host.
   */
  async connect(name: string, options: { now?: boolean } = {}): Promise<SshRunner> {
    const lease = await this.lease(name, options.now ?? false);
    lease.release();
    return this.runner(name);
  }

  /** The connect timeout of the next dials (a setting the user may change at any time). */
  setConnectTimeout(ms: number): void {
    this.settings.connectTimeoutMs = ms;
  }

  /** Closes the host's connection (and the channels on it), as the user asked. */
  disconnect(name: string): void {
    const connection = this.byName.get(name);
    if (connection) this.closeConnection(connection, 'user');
  }

  /**
   * After the inventory changed: a host connected (or dialling) that now resolves to another
   * address, user, port, key, host key policy or jump chain is disconnected, so its next use dials
   * the new one. A host that is not connected picks up its new settings at its next dial anyway.
   */
  reconcile(resolve: (name: string) => ResolvedHost | undefined): void {
    for (const [name, connection] of this.byName) {
      if (connection.isDormant) continue;
      const now = resolve(name);
      if (!now || endpointOf(now) !== endpointOf(connection.host)) this.disconnect(name);
    }
  }

  /** Closes every connection; the pool cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const connection of this.connections.values()) this.closeConnection(connection, 'user');
    this.credentials.clear();
    this.stateEmitter.dispose();
  }

  /** @internal Runs one command to completion. */
  async exec(name: string, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const opened = await this.openChannel(name, (client, callback) => client.exec(command, callback));
    return collectExec(
      opened,
      command,
      options,
      { maxOutputBytes: this.settings.maxExecOutputBytes, clock: this.clock },
      this.commands.start(opened.host, command),
    );
  }

  /** @internal Starts a streaming command, in a pty when asked (an empty command then opens the login shell). */
  async spawn(name: string, command: string, pty?: PtyOptions): Promise<SshProcess> {
    const ptyOptions = pty ? { rows: pty.rows, cols: pty.cols, term: pty.term ?? 'xterm-256color' } : undefined;
    const opened = await this.openChannel(name, (client, callback) => {
      if (ptyOptions && command === '') client.shell(ptyOptions, callback);
      else if (ptyOptions) client.exec(command, { pty: ptyOptions }, callback);
      else client.exec(command, callback);
    });
    const label = command || 'login shell';
    return watchProcess(opened, label, this.lostReasons.has(opened.client), this.commands.start(opened.host, label));
  }

  /** @internal A TCP stream from the host to `address:port` (a direct-tcpip channel), e.g. for a debugger. */
  async forwardOut(name: string, address: string, port: number): Promise<Duplex> {
    const { channel, release } = await this.openChannel(name, (client, callback) =>
      client.forwardOut('127.0.0.1', 0, address, port, callback),
    );
    channel.once('close', release);
    return channel;
  }

  /** Opens a channel on the host's connection (channels.ts: a connection found dead on the way is replaced once). */
  private openChannel(name: string, open: OpenChannel): Promise<OpenedChannel> {
    return openChannelOn(() => this.lease(name), open, {
      lostReason: (client) => this.lostReasons.get(client),
      lostError: (connection, client, command) => this.lostError(connection, client, command),
    });
  }

  /** A connected client for the host, held open until `release`. */
  private async lease(name: string, now = false): Promise<{ connection: PooledConnection; client: Client; release: () => void }> {
    const disposed = () => new SshError('closed', name, `${name}: the connection pool was disposed.`);
    if (this.disposed) throw disposed();
    let connection = this.byName.get(name);
    // Resolve only to dial: a connected host or a dial in progress is joined as it is. A fresh
    // resolution each time means an edited IdentityFile or StrictHostKeyChecking applies at the
    // next dial, not after a reload.
    if (!connection || connection.isDormant) {
      const host = await this.options.resolveHost(name);
      if (this.disposed) throw disposed();
      connection = this.byName.get(name);
      if (!connection || connection.isDormant) {
        connection = this.connectionFor(host);
        this.byName.set(name, connection);
      }
    }
    for (let hop: PooledConnection | undefined = connection; now && hop; hop = hop.parent) hop.skipWait();
    const release = this.hold(connection);
    try {
      return { connection, client: await this.ensureConnected(connection), release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** The pooled connection for a host at the end of its jump chain, made on first use; dormant hops take the new settings. */
  private connectionFor(host: ResolvedHost): PooledConnection {
    let parent: PooledConnection | undefined;
    for (const { key, hop } of chainKeys(host)) {
      let connection = this.connections.get(key);
      if (!connection) {
        connection = new PooledConnection(
          key,
          hop,
          parent,
          new Backoff(this.clock, { initialMs: this.settings.backoffInitialMs, maxMs: this.settings.backoffMaxMs }),
        );
        this.connections.set(key, connection);
      } else if (connection.isDormant) {
        connection.host = hop;
      }
      parent = connection;
    }
    return parent!;
  }

  private hold(connection: PooledConnection): () => void {
    connection.users++;
    connection.idleTimer?.cancel();
    connection.idleTimer = undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--connection.users > 0) return;
      if (connection.client && this.settings.idleTimeoutMs > 0) {
        connection.idleTimer = this.clock.setTimeout(() => this.closeConnection(connection, 'idle'), this.settings.idleTimeoutMs);
      } else if (!connection.client && connection.dialing) {
        // A jump host dialled for a connection that was closed meanwhile: nothing needs it now.
        this.closeConnection(connection, 'idle');
      }
    };
  }

  private ensureConnected(connection: PooledConnection): Promise<Client> {
    if (connection.client) return Promise.resolve(connection.client);
    if (!connection.dialing) {
      const abort = new AbortController();
      // The callers stop waiting at once; the dial itself stops at its next step.
      const dialing: Promise<Client> = untilAborted(this.dial(connection, abort.signal), abort.signal, (client) => client.end()).finally(
        () => {
          if (connection.dialing === dialing) {
            connection.dialing = undefined;
            connection.abortDial = undefined;
          }
        },
      );
      connection.dialing = dialing;
      connection.abortDial = abort;
    }
    return connection.dialing;
  }

  /** Dials once (after the backoff); a dial aborted meanwhile leaves no trace. */
  private async dial(connection: PooledConnection, signal: AbortSignal): Promise<Client> {
    const wait = connection.retryAt - this.clock.now();
    if (wait > 0) await connection.backoff.sleep(wait);
    // dispose() aborts every dial in progress too.
    if (signal.aborted) throw disconnectedWhileConnecting(connection);
    this.setState(connection, { kind: 'connecting' });
    // A hop stays connected as long as the connection through it.
    const releaseParent = connection.parent ? this.hold(connection.parent) : undefined;
    let reachedHost = false;
    try {
      const sock = connection.parent
        ? await untilAborted(this.tunnel(connection.parent, connection.host), signal, (stream) => stream.destroy())
        : undefined;
      const client = await connectSsh({
        host: connection.host,
        sock,
        via: connection.parent?.host.alias,
        auth: this.options,
        credentials: this.credentials,
        connectTimeoutMs: this.settings.connectTimeoutMs,
        keepaliveIntervalMs: this.settings.keepaliveIntervalMs,
        keepaliveCountMax: this.settings.keepaliveCountMax,
        signal,
        onTransportConnected: () => (reachedHost = true),
        clock: this.clock,
      });
      if (signal.aborted) {
        client.end();
        throw disconnectedWhileConnecting(connection);
      }
      this.adopt(connection, client, releaseParent);
      return client;
    } catch (error) {
      releaseParent?.();
      const failure =
        error instanceof SshError
          ? error
          : new SshError('closed', connection.host.alias, `${connection.where}: ${String(error)}`, { cause: error });
      if (signal.aborted) throw failure;
      if (isTransient(failure)) connection.dialFailed(this.clock.now(), reachedHost);
      this.setState(connection, { kind: 'error', message: failure.message, error: failure });
      throw failure;
    }
  }

  /** A stream to `host` through the jump host's connection. */
  private async tunnel(jump: PooledConnection, host: ResolvedHost): Promise<Duplex> {
    const client = await this.ensureConnected(jump);
    return new Promise<Duplex>((resolve, reject) => {
      const refuse = (reason: string) =>
        reject(
          new SshError(
            'unreachable',
            host.alias,
            `${describeHost(host)}: the jump host ${jump.host.alias} could not reach it (${reason}). Check HostName and Port, and that ${jump.host.alias} allows TCP forwarding.`,
          ),
        );
      try {
        client.forwardOut('127.0.0.1', 0, host.hostName, host.port, (error, channel) => (error ? refuse(error.message) : resolve(channel)));
      } catch (error) {
        refuse((error as Error).message);
      }
    });
  }

  private adopt(connection: PooledConnection, client: Client, releaseParent: (() => void) | undefined): void {
    connection.client = client;
    // Each streaming channel listens for the connection closing.
    client.setMaxListeners(0);
    connection.resetBackoff();
    let lastError: Error | undefined;
    client.on('error', (error: Error) => (lastError = error));
    client.once('close', () => {
      releaseParent?.();
      if (connection.client !== client) return; // closed on purpose: already detached
      const cause = lastError ? `: ${lastError.message}` : '';
      const lost = new SshError(
        'closed',
        connection.host.alias,
        `${connection.where}: connection lost${cause}. It reconnects on next use.`,
        { cause: lastError },
      );
      this.detach(connection, client, lost, { kind: 'error', message: lost.message, error: lost });
    });
    this.setState(connection, { kind: 'connected' });
  }

  /** Forgets the client (the next use dials again); channels still on it report `reason`. */
  private detach(connection: PooledConnection, client: Client, reason: SshError, state: HostState, closedBy?: CloseReason): void {
    this.lostReasons.set(client, reason);
    connection.client = undefined;
    connection.idleTimer?.cancel();
    connection.idleTimer = undefined;
    this.setState(connection, state, closedBy);
  }

  private closeConnection(connection: PooledConnection, reason: CloseReason): void {
    // Connections through this one close with it, for the same reason.
    for (const other of this.connections.values()) if (other.parent === connection) this.closeConnection(other, reason);
    connection.idleTimer?.cancel();
    connection.idleTimer = undefined;
    // Closing on purpose also ends a dial in progress or waiting out its backoff; the next use
    // dials at once.
    connection.resetBackoff();
    connection.abortDial?.abort(disconnectedWhileConnecting(connection));
    connection.abortDial = undefined;
    connection.dialing = undefined;
    const client = connection.client;
    if (!client) return this.setState(connection, { kind: 'idle' }, reason);
    this.detach(
      connection,
      client,
      new SshError('closed', connection.host.alias, `${connection.where}: the connection was closed.`),
      { kind: 'idle' },
      reason,
    );
    client.end();
  }

  /** The error for a channel that closed without an exit status. */
  private lostError(connection: PooledConnection, client: Client, command: string): SshError {
    const reason = this.lostReasons.get(client);
    const message = reason?.message ?? `${connection.where}: the channel closed without an exit status`;
    return new SshError('closed', connection.host.alias, `${message} (while running \`${command}\`)`, { cause: reason });
  }

  private setState(connection: PooledConnection, state: HostState, closedBy?: CloseReason): void {
    const previous = connection.state;
    connection.state = state;
    const same =
      previous.kind === state.kind && (previous.kind !== 'error' || state.kind !== 'error' || previous.message === state.message);
    if (same || this.disposed) return;
    this.stateEmitter.fire({ host: connection.host.alias, state });
    publishConnectionChange(this.events, connection.host.alias, previous, state, closedBy);
  }
}
