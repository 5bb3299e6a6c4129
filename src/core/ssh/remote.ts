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
  /**
   * Resolves when the remote command ends or the channel closes. `error` is set when the channel
   * ended because the connection failed (exitCode and signal are then null).
   */
  readonly exit: Promise<{ exitCode: number | null; signal: string | null; error?: Error }>;
  /** Closes the channel (the remote command gets SIGHUP with its session). */
  close(): void;
}

/** A process in a remote pseudo-terminal: stdout carries the screen, stderr stays empty. */
export interface PtyProcess extends RemoteProcess {
  /** Tells the pty its new size; the program in it gets SIGWINCH. */
  resize(cols: number, rows: number): void;
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
  spawn(command: string): Promise<RemoteProcess>;
}
