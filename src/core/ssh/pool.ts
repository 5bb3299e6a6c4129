// One ssh2 connection per host, shared by every channel: exec, streaming exec, pty shells and
// port forwards. Jump hosts are pooled connections too (the target's TCP stream is a channel on
// the last hop). Connections close when idle, drop with a clear error on their open channels,
// and reconnect on next use, spacing failed attempts with exponential backoff.
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { CredentialCache, type AuthSettings } from './auth';
import { connectSsh } from './connection';
import { SshError, describeHost, formatSeconds, isTransient } from './errors';
import type { ExecOptions, ExecResult, PtyOptions, PtyProcess, RemoteProcess, RemoteRunner } from './remote';
import type { ResolvedHost } from './types';
import { EventEmitter, type Disposable, type Event } from '../util/events';

export type HostState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'error'; message: string; error: SshError };

export interface HostStateChange {
  /** The host's alias (a jump host reports under its own alias). */
  host: string;
  state: HostState;
}

/** One command run on a host, for the log channel and the incident timeline. */
export interface CommandRecord {
  host: string;
  command: string;
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  /** null when the command was killed by a signal, timed out or lost its connection. */
  exitCode: number | null;
  signal?: string;
  /** Why there is no exit code, when it is not a signal. */
  error?: string;
}

export interface SshPoolOptions extends AuthSettings {
  /** The host as ssh_config / hosts.json describe it; called on every (re)connect. */
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

/** One pooled connection: a host reached directly or through the connection of its previous hop. */
class PooledConnection {
  client: Client | undefined;
  dialing: Promise<Client> | undefined;
  /** Open channels, child connections and operations between lease and channel open. */
  users = 0;
  idleTimer: NodeJS.Timeout | undefined;
  consecutiveFailures = 0;
  retryAt = 0;
  /** Aborts the dial in progress when the user closes the connection meanwhile. */
  abortDial: AbortController | undefined;
  /** Ends the backoff wait of the dial in progress, if it is waiting. */
  wake: (() => void) | undefined;
  state: HostState = { kind: 'idle' };

  constructor(
    readonly key: string,
    readonly host: ResolvedHost,
    readonly parent: PooledConnection | undefined,
  ) {}

  get where(): string {
    return describeHost(this.host);
  }
}

export class SshPool implements Disposable {
  private readonly stateEmitter = new EventEmitter<HostStateChange>();
  private readonly commandEmitter = new EventEmitter<CommandRecord>();
  readonly onDidChangeState: Event<HostStateChange> = this.stateEmitter.event;
  readonly onDidRunCommand: Event<CommandRecord> = this.commandEmitter.event;

  private readonly connections = new Map<string, PooledConnection>();
  /** The connection each inventory name last resolved to. */
  private readonly byName = new Map<string, PooledConnection>();
  private readonly runners = new Map<string, SshRunner>();
  private readonly credentials = new CredentialCache();
  /** Why a client went away, for the channels that were open on it. */
  private readonly lostReasons = new WeakMap<Client, SshError>();
  private readonly settings: typeof DEFAULTS;
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

  /** Closes the host's connection (and the channels on it). */
  disconnect(name: string): void {
    const connection = this.byName.get(name);
    if (connection) this.closeConnection(connection);
  }

  /** Closes every connection; the pool cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const connection of this.connections.values()) this.closeConnection(connection);
    this.credentials.clear();
    this.stateEmitter.dispose();
    this.commandEmitter.dispose();
  }

  /** @internal Runs one command to completion. */
  async exec(name: string, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const { channel, exitWatch, connection, client, release } = await this.openChannel(name, (client, callback) => client.exec(command, callback));
    const startedAt = Date.now();
    const limit = this.settings.maxExecOutputBytes;
    return new Promise<ExecResult>((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let stdoutBytes = 0;
      let stderrBytes = 0;
      let settled = false;
      const settle = (failure: SshError | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.record(connection, command, startedAt, failure ? undefined : exitWatch.status, failure);
        if (failure) reject(failure);
        else resolve({ ...exitWatch.status!, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
      };
      // Answers at once; the channel is released when the host confirms the close.
      const giveUp = (error: SshError) => {
        settle(error);
        stopChannel(channel);
      };
      const timer =
        options.timeoutMs !== undefined
          ? setTimeout(() => giveUp(new SshError('timeout', connection.host.alias, `${connection.where}: \`${command}\` did not finish within ${formatSeconds(options.timeoutMs!)}; its channel was closed.`)), options.timeoutMs)
          : undefined;
      const collect = (into: Buffer[], chunk: Buffer, total: number): number => {
        if (total + chunk.length > limit) giveUp(new SshError('closed', connection.host.alias, `${connection.where}: \`${command}\` wrote more than ${limit} bytes; stream it instead.`));
        else if (!settled) into.push(chunk);
        return total + chunk.length;
      };
      channel.on('data', (chunk: Buffer) => (stdoutBytes = collect(stdout, chunk, stdoutBytes)));
      channel.stderr.on('data', (chunk: Buffer) => (stderrBytes = collect(stderr, chunk, stderrBytes)));
      channel.once('close', () => {
        release();
        settle(exitWatch.status ? undefined : this.lostError(connection, client, command));
      });
      if (options.stdin !== undefined) channel.end(options.stdin);
    });
  }

  /** @internal Starts a streaming command, in a pty when asked (an empty command then opens the login shell). */
  async spawn(name: string, command: string, pty?: PtyOptions): Promise<SshProcess> {
    const ptyOptions = pty ? { rows: pty.rows, cols: pty.cols, term: pty.term ?? 'xterm-256color' } : undefined;
    const { channel, exitWatch, connection, client, release } = await this.openChannel(name, (client, callback) => {
      if (ptyOptions && command === '') client.shell(ptyOptions, callback);
      else if (ptyOptions) client.exec(command, { pty: ptyOptions }, callback);
      else client.exec(command, callback);
    });
    const startedAt = Date.now();
    const label = command || 'login shell';
    // Settles without waiting for the caller to drain the streams (ssh2 emits 'close' only after
    // 'end'): on the exit status, on the channel closing without one, or on the connection going.
    const exit = new Promise<{ exitCode: number | null; signal: string | null; error?: Error }>((resolve) => {
      let settled = false;
      const finish = (status: { exitCode: number | null; signal: string | null } | undefined) => {
        if (settled) return;
        settled = true;
        client.off('close', onConnectionClosed);
        release();
        const error = status ? undefined : this.lostError(connection, client, label);
        this.record(connection, label, startedAt, status, error);
        resolve(status ?? { exitCode: null, signal: null, error });
      };
      const onConnectionClosed = () => finish(undefined);
      client.once('close', onConnectionClosed);
      exitWatch.onExit(finish);
      channel.once('close', () => finish(undefined));
      if (this.lostReasons.has(client)) finish(undefined); // the connection went while we were awaiting
    });
    return new SshProcess(channel, exit);
  }

  /** @internal A TCP stream from the host to `address:port` (a direct-tcpip channel), e.g. for a debugger. */
  async forwardOut(name: string, address: string, port: number): Promise<Duplex> {
    const { channel, release } = await this.openChannel(name, (client, callback) => client.forwardOut('127.0.0.1', 0, address, port, callback));
    channel.once('close', release);
    return channel;
  }

  /** Opens a channel on the host's connection; a connection found dead on the way is replaced once. */
  private async openChannel(
    name: string,
    open: (client: Client, callback: (error: Error | undefined, channel: ClientChannel) => void) => void,
  ): Promise<{ channel: ClientChannel; exitWatch: ExitWatch; connection: PooledConnection; client: Client; release: () => void }> {
    for (let attempt = 0; ; attempt++) {
      const { connection, client, release } = await this.lease(name);
      try {
        const { channel, exitWatch } = await new Promise<{ channel: ClientChannel; exitWatch: ExitWatch }>((resolve, reject) => {
          try {
            open(client, (error, channel) => (error ? reject(error) : resolve({ channel, exitWatch: new ExitWatch(channel) })));
          } catch (error) {
            reject(error); // ssh2 throws "Not connected" synchronously on a dead socket
          }
        });
        return { channel, exitWatch, connection, client, release };
      } catch (error) {
        release();
        const died = connection.client !== client || !isWritable(client);
        if (died && attempt === 0) continue;
        if (died) throw this.lostReasons.get(client) ?? new SshError('closed', connection.host.alias, `${connection.where}: the connection closed while opening a channel.`);
        throw new SshError('closed', connection.host.alias, `${connection.where}: the host refused a new channel (${(error as Error).message}). It may limit sessions per connection (sshd MaxSessions).`, { cause: error });
      }
    }
  }

  /** A connected client for the host, held open until `release`. */
  private async lease(name: string, now = false): Promise<{ connection: PooledConnection; client: Client; release: () => void }> {
    const disposed = () => new SshError('closed', name, `${name}: the connection pool was disposed.`);
    if (this.disposed) throw disposed();
    let connection = this.byName.get(name);
    // Resolve only to dial: a connected host or a dial in progress is joined as it is.
    if (!connection?.client && !connection?.dialing) {
      const host = await this.options.resolveHost(name);
      if (this.disposed) throw disposed();
      connection = this.connectionFor(host);
      this.byName.set(name, connection);
    }
    for (let hop: PooledConnection | undefined = connection; now && hop; hop = hop.parent) {
      hop.retryAt = 0;
      hop.wake?.();
    }
    const release = this.hold(connection);
    try {
      return { connection, client: await this.ensureConnected(connection), release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** The pooled connection for a host at the end of its jump chain, made on first use. */
  private connectionFor(host: ResolvedHost): PooledConnection {
    let parent: PooledConnection | undefined;
    let key = '';
    for (const hop of [...host.proxyJump, host]) {
      key += `${key ? ' > ' : ''}${hop.alias}=${hop.user}@${hop.hostName}:${hop.port}`;
      let connection = this.connections.get(key);
      if (!connection) {
        connection = new PooledConnection(key, hop === host ? host : hop, parent);
        this.connections.set(key, connection);
      }
      parent = connection;
    }
    return parent!;
  }

  private hold(connection: PooledConnection): () => void {
    connection.users++;
    clearTimeout(connection.idleTimer);
    connection.idleTimer = undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--connection.users > 0) return;
      if (connection.client && this.settings.idleTimeoutMs > 0) {
        connection.idleTimer = setTimeout(() => this.closeConnection(connection), this.settings.idleTimeoutMs);
        connection.idleTimer.unref();
      } else if (!connection.client && connection.dialing) {
        // A jump host dialled for a connection that was closed meanwhile: nothing needs it now.
        this.closeConnection(connection);
      }
    };
  }

  private ensureConnected(connection: PooledConnection): Promise<Client> {
    if (connection.client) return Promise.resolve(connection.client);
    if (!connection.dialing) {
      const abort = new AbortController();
      // The callers stop waiting at once; the dial itself stops at its next step.
      const dialing: Promise<Client> = untilAborted(this.dial(connection, abort.signal), abort.signal, (client) => client.end()).finally(() => {
        if (connection.dialing === dialing) {
          connection.dialing = undefined;
          connection.abortDial = undefined;
        }
      });
      connection.dialing = dialing;
      connection.abortDial = abort;
    }
    return connection.dialing;
  }

  /** Dials once (after the backoff); a dial aborted meanwhile leaves no trace. */
  private async dial(connection: PooledConnection, signal: AbortSignal): Promise<Client> {
    const wait = connection.retryAt - Date.now();
    if (wait > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        connection.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      connection.wake = undefined;
    }
    // dispose() aborts every dial in progress too.
    if (signal.aborted) throw disconnectedWhileConnecting(connection);
    this.setState(connection, { kind: 'connecting' });
    // A hop stays connected as long as the connection through it.
    const releaseParent = connection.parent ? this.hold(connection.parent) : undefined;
    try {
      const sock = connection.parent ? await untilAborted(this.tunnel(connection.parent, connection.host), signal, (stream) => stream.destroy()) : undefined;
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
      });
      if (signal.aborted) {
        client.end();
        throw disconnectedWhileConnecting(connection);
      }
      this.adopt(connection, client, releaseParent);
      return client;
    } catch (error) {
      releaseParent?.();
      const failure = error instanceof SshError ? error : new SshError('closed', connection.host.alias, `${connection.where}: ${String(error)}`, { cause: error });
      if (signal.aborted) throw failure;
      if (isTransient(failure)) {
        connection.consecutiveFailures++;
        connection.retryAt = Date.now() + Math.min(this.settings.backoffMaxMs, this.settings.backoffInitialMs * 2 ** (connection.consecutiveFailures - 1));
      }
      this.setState(connection, { kind: 'error', message: failure.message, error: failure });
      throw failure;
    }
  }

  /** A stream to `host` through the jump host's connection. */
  private async tunnel(jump: PooledConnection, host: ResolvedHost): Promise<Duplex> {
    const client = await this.ensureConnected(jump);
    return new Promise<Duplex>((resolve, reject) => {
      const refuse = (reason: string) =>
        reject(new SshError('unreachable', host.alias, `${describeHost(host)}: the jump host ${jump.host.alias} could not reach it (${reason}). Check HostName and Port, and that ${jump.host.alias} allows TCP forwarding.`));
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
    connection.consecutiveFailures = 0;
    connection.retryAt = 0;
    let lastError: Error | undefined;
    client.on('error', (error: Error) => (lastError = error));
    client.once('close', () => {
      releaseParent?.();
      if (connection.client !== client) return; // closed on purpose: already detached
      const cause = lastError ? `: ${lastError.message}` : '';
      const lost = new SshError('closed', connection.host.alias, `${connection.where}: connection lost${cause}. It reconnects on next use.`, { cause: lastError });
      this.detach(connection, client, lost, { kind: 'error', message: lost.message, error: lost });
    });
    this.setState(connection, { kind: 'connected' });
  }

  /** Forgets the client (the next use dials again); channels still on it report `reason`. */
  private detach(connection: PooledConnection, client: Client, reason: SshError, state: HostState): void {
    this.lostReasons.set(client, reason);
    connection.client = undefined;
    clearTimeout(connection.idleTimer);
    connection.idleTimer = undefined;
    this.setState(connection, state);
  }

  private closeConnection(connection: PooledConnection): void {
    // Connections through this one close with it, on purpose too.
    for (const other of this.connections.values()) if (other.parent === connection) this.closeConnection(other);
    clearTimeout(connection.idleTimer);
    connection.idleTimer = undefined;
    // Closing on purpose also ends a dial in progress or waiting out its backoff; the next use
    // dials at once.
    connection.consecutiveFailures = 0;
    connection.retryAt = 0;
    connection.abortDial?.abort(disconnectedWhileConnecting(connection));
    connection.abortDial = undefined;
    connection.dialing = undefined;
    connection.wake?.();
    const client = connection.client;
    if (!client) return this.setState(connection, { kind: 'idle' });
    this.detach(connection, client, new SshError('closed', connection.host.alias, `${connection.where}: the connection was closed.`), { kind: 'idle' });
    client.end();
  }

  /** The error for a channel that closed without an exit status. */
  private lostError(connection: PooledConnection, client: Client, command: string): SshError {
    const reason = this.lostReasons.get(client);
    const message = reason?.message ?? `${connection.where}: the channel closed without an exit status`;
    return new SshError('closed', connection.host.alias, `${message} (while running \`${command}\`)`, { cause: reason });
  }

  private record(connection: PooledConnection, command: string, startedAt: number, exit: { exitCode: number | null; signal: string | null } | undefined, error: Error | undefined): void {
    this.commandEmitter.fire({
      host: connection.host.alias,
      command,
      startedAt,
      durationMs: Date.now() - startedAt,
      exitCode: exit?.exitCode ?? null,
      ...(exit?.signal ? { signal: exit.signal } : {}),
      ...(error ? { error: error.message } : {}),
    });
  }

  private setState(connection: PooledConnection, state: HostState): void {
    const previous = connection.state;
    connection.state = state;
    const same = previous.kind === state.kind && (previous.kind !== 'error' || state.kind !== 'error' || previous.message === state.message);
    if (!same && !this.disposed) this.stateEmitter.fire({ host: connection.host.alias, state });
  }
}

type ExitStatus = { exitCode: number | null; signal: string | null };

/** `work`, or a rejection as soon as `signal` aborts; a result that arrives after that goes to `discard`. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, discard: (value: T) => void): Promise<T> {
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

function disconnectedWhileConnecting(connection: PooledConnection): SshError {
  return new SshError('closed', connection.host.alias, `${connection.where}: disconnected while connecting.`);
}

/**
 * A channel's exit status, recorded from the moment the channel opens: ssh2 can deliver the open
 * confirmation, the output and the exit status of a quick command in one read, before any
 * `await` on the open resumes, and it does not replay the 'exit' event.
 */
class ExitWatch {
  status: ExitStatus | undefined;
  private readonly listeners: ((status: ExitStatus) => void)[] = [];

  constructor(channel: ClientChannel) {
    channel.once('exit', (code: number | null, signal?: string) => {
      const status = { exitCode: code ?? null, signal: signal ?? null };
      this.status = status;
      for (const listener of this.listeners.splice(0)) listener(status);
    });
  }

  onExit(listener: (status: ExitStatus) => void): void {
    if (this.status) listener(this.status);
    else this.listeners.push(listener);
  }
}

/**
 * Asks the command to stop (SIGTERM) and closes its channel. OpenSSH refuses signal requests in
 * root sessions, where a command without a pty runs on until it next writes to the closed channel.
 */
function stopChannel(channel: ClientChannel): void {
  try {
    channel.signal('TERM');
  } catch {
    // The channel is already closing.
  }
  channel.close();
}

function isWritable(client: Client): boolean {
  // ssh2 keeps the transport socket here; a destroyed socket means the connection is gone.
  const sock = (client as unknown as { _sock?: { writable?: boolean; destroyed?: boolean } })._sock;
  return !!sock && sock.writable !== false && !sock.destroyed;
}

/** A command on a channel of the pooled connection. */
export class SshProcess implements PtyProcess {
  constructor(
    private readonly channel: ClientChannel,
    readonly exit: Promise<{ exitCode: number | null; signal: string | null; error?: Error }>,
  ) {}

  get stdin(): ClientChannel {
    return this.channel;
  }

  get stdout(): ClientChannel {
    return this.channel;
  }

  get stderr(): ClientChannel['stderr'] {
    return this.channel.stderr;
  }

  /** Sends SIGHUP to the command, then closes the channel. */
  close(): void {
    try {
      this.channel.signal('HUP');
    } catch {
      // The channel is already closing.
    }
    this.channel.close();
  }

  /** Resizes the remote pty; a no-op for a command without one. */
  resize(cols: number, rows: number): void {
    this.channel.setWindow(rows, cols, 0, 0);
  }
}

/** RemoteRunner over the pool: every call shares the host's one connection. */
export class SshRunner implements RemoteRunner {
  constructor(
    private readonly pool: SshPool,
    readonly host: string,
  ) {}

  exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    return this.pool.exec(this.host, command, options);
  }

  spawn(command: string): Promise<RemoteProcess> {
    return this.pool.spawn(this.host, command);
  }

  /** A command (or, when undefined, the login shell) in a remote pty. */
  openPty(command: string | undefined, size: PtyOptions): Promise<PtyProcess> {
    return this.pool.spawn(this.host, command ?? '', size);
  }

  /** A TCP stream from the host to `address:port`. */
  forwardOut(address: string, port: number): Promise<Duplex> {
    return this.pool.forwardOut(this.host, address, port);
  }
}
