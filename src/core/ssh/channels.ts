// What happens on one channel of a pooled connection once it is open: a command collected to
// completion (exec), a streaming or pty process (spawn), and the exit status watch both need.
// Connection lifecycle (dialling, backoff, idle close) is the pool's (pool.ts).
import type { Client, ClientChannel } from 'ssh2';
import type { Clock } from '../util/clock';
import type { EndCommand } from './commandLog';
import type { PooledConnection } from './pooledConnection';
import { SshError, formatSeconds } from './errors';
import type { ExecOptions, ExecResult, PtyProcess } from './remote';

export type ExitStatus = { exitCode: number | null; signal: string | null };

/** A channel the pool opened, with what is needed to report on it and give it back. */
export interface OpenedChannel {
  channel: ClientChannel;
  exitWatch: ExitWatch;
  client: Client;
  /** The host's alias, for errors. */
  host: string;
  /** How messages name the host ("web-1 (10.0.0.5:22)"). */
  where: string;
  /** Gives the connection back to the pool (it may close when idle). */
  release(): void;
  /** The error for a channel that closed without an exit status (the connection's fate, if known). */
  lostError(command: string): SshError;
}

/**
 * A channel's exit status, recorded from the moment the channel opens: ssh2 can deliver the open
 * confirmation, the output and the exit status of a quick command in one read, before any
 * `await` on the open resumes, and it does not replay the 'exit' event.
 */
export class ExitWatch {
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

/** Runs the opened command to completion, collecting stdout and stderr up to `maxOutputBytes` each. */
export function collectExec(
  opened: OpenedChannel,
  command: string,
  options: ExecOptions,
  limits: { maxOutputBytes: number; clock: Clock },
  end: EndCommand,
): Promise<ExecResult> {
  const { channel, exitWatch, host, where } = opened;
  const limit = limits.maxOutputBytes;
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let settled = false;
    const settle = (failure: SshError | undefined) => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      end(failure ? { exitCode: null, error: failure } : exitWatch.status!);
      if (failure) reject(failure);
      else
        resolve({ ...exitWatch.status!, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    };
    // Answers at once; the channel is released when the host confirms the close.
    const giveUp = (error: SshError) => {
      settle(error);
      stopChannel(channel);
    };
    const timer =
      options.timeoutMs !== undefined
        ? limits.clock.setTimeout(
            () =>
              giveUp(
                new SshError(
                  'timeout',
                  host,
                  `${where}: \`${command}\` did not finish within ${formatSeconds(options.timeoutMs!)}; its channel was closed.`,
                ),
              ),
            options.timeoutMs,
          )
        : undefined;
    const collect = (into: Buffer[], chunk: Buffer, total: number): number => {
      if (total + chunk.length > limit)
        giveUp(new SshError('closed', host, `${where}: \`${command}\` wrote more than ${limit} bytes; stream it instead.`));
      else if (!settled) into.push(chunk);
      return total + chunk.length;
    };
    channel.on('data', (chunk: Buffer) => (stdoutBytes = collect(stdout, chunk, stdoutBytes)));
    channel.stderr.on('data', (chunk: Buffer) => (stderrBytes = collect(stderr, chunk, stderrBytes)));
    channel.once('close', () => {
      opened.release();
      settle(exitWatch.status ? undefined : opened.lostError(command));
    });
    if (options.stdin !== undefined) channel.end(options.stdin);
  });
}

/**
 * The opened command as a process. Its exit settles without waiting for the caller to drain the
 * streams (ssh2 emits 'close' only after 'end'): on the exit status, on the channel closing
 * without one, or on the connection going (`lost` says whether it already went).
 */
export function watchProcess(opened: OpenedChannel, label: string, connectionGone: boolean, end: EndCommand): SshProcess {
  const { channel, exitWatch, client } = opened;
  const exit = new Promise<{ exitCode: number | null; signal: string | null; error?: Error }>((resolve) => {
    let settled = false;
    const finish = (status: ExitStatus | undefined) => {
      if (settled) return;
      settled = true;
      client.off('close', onConnectionClosed);
      opened.release();
      const error = status ? undefined : opened.lostError(label);
      end(status ?? { exitCode: null, error });
      resolve(status ?? { exitCode: null, signal: null, error });
    };
    const onConnectionClosed = () => finish(undefined);
    client.once('close', onConnectionClosed);
    exitWatch.onExit(finish);
    channel.once('close', () => finish(undefined));
    if (connectionGone) finish(undefined); // the connection went while the open was awaited
  });
  return new SshProcess(channel, exit);
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

export function isWritable(client: Client): boolean {
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

/** Opens one channel on a client (ssh2's exec, shell or forwardOut, callback style). */
export type OpenChannel = (client: Client, callback: (error: Error | undefined, channel: ClientChannel) => void) => void;

/** A leased connection: its pooled record, a connected client, and the hold to release. */
export interface ChannelLease {
  connection: PooledConnection;
  client: Client;
  release: () => void;
}

/**
 * Opens a channel on a leased connection. A connection found dead on the way is replaced once
 * (the next lease dials again); a live one that refuses the channel says why (sshd MaxSessions).
 */
export async function openChannelOn(
  lease: () => Promise<ChannelLease>,
  open: OpenChannel,
  hooks: {
    /** Why a client's connection was lost, when the pool knows. */
    lostReason: (client: Client) => SshError | undefined;
    lostError: (connection: PooledConnection, client: Client, command: string) => SshError;
  },
): Promise<OpenedChannel> {
  for (let attempt = 0; ; attempt++) {
    const { connection, client, release } = await lease();
    try {
      const { channel, exitWatch } = await new Promise<{ channel: ClientChannel; exitWatch: ExitWatch }>((resolve, reject) => {
        try {
          open(client, (error, channel) => (error ? reject(error) : resolve({ channel, exitWatch: new ExitWatch(channel) })));
        } catch (error) {
          reject(error); // ssh2 throws "Not connected" synchronously on a dead socket
        }
      });
      return {
        channel,
        exitWatch,
        client,
        host: connection.host.alias,
        where: connection.where,
        release,
        lostError: (command) => hooks.lostError(connection, client, command),
      };
    } catch (error) {
      release();
      const died = connection.client !== client || !isWritable(client);
      if (died && attempt === 0) continue;
      if (died)
        throw (
          hooks.lostReason(client) ??
          new SshError('closed', connection.host.alias, `${connection.where}: the connection closed while opening a channel.`)
        );
      throw new SshError(
        'closed',
        connection.host.alias,
        `${connection.where}: the host refused a new channel (${(error as Error).message}). It may limit sessions per connection (sshd MaxSessions).`,
        { cause: error },
      );
    }
  }
}
