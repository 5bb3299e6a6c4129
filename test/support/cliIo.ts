// In-memory streams for running a CLI subcommand in-process, keeping what it printed.
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/command';

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
  /** Interrupts the command, as Ctrl-C does. */
  abort(): void;
}

export function captureIo(options: { stdin?: NodeJS.ReadableStream; env?: NodeJS.ProcessEnv } = {}): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const interrupt = new AbortController();
  return {
    stdin: options.stdin ?? new PassThrough(),
    stdout,
    stderr,
    env: options.env ?? {},
    signal: interrupt.signal,
    out: () => out,
    err: () => err,
    abort: () => interrupt.abort(),
  };
}
