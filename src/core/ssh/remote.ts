// What the rest of the core needs from a host: run a command, or stream one. The pooled ssh2
// connection implements it; tests may implement it over a local shell.
import type { Readable, Writable } from 'node:stream';

export interface ExecResult {
  /** null when the command was ended by a signal. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Fails with a timeout error (and closes the channel) when the command runs longer. */
  timeoutMs?: number;
  stdin?: string | Buffer;
}

export interface RemoteProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the remote command ends or the channel closes. */
  readonly exit: Promise<{ exitCode: number | null; signal: string | null }>;
  /** Closes the channel (the remote command gets SIGHUP with its session). */
  close(): void;
}

export interface PtyOptions {
  cols: number;
  rows: number;
  term?: string;
}

export interface RemoteRunner {
  /** The host's inventory name. */
  readonly host: string;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  spawn(command: string, options?: { pty?: PtyOptions }): Promise<RemoteProcess>;
}
