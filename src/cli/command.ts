// Each CLI subcommand is a function of its arguments and streams, so tests run it in-process.
import { makeVisible } from '../core/logs/lines';
import { isSshError, type SshError } from '../core/ssh/errors';
import type { RemoteRunner } from '../core/ssh/remote';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: long-running commands (tail) stop cleanly. */
  signal: AbortSignal;
}

/** Resolves to the process exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

/** The CLI exit codes (docs/architecture.md, "Contracts"). */
export const ExitCode = {
  ok: 0,
  usage: 2,
  connect: 3,
  hostKey: 4,
  /** Interrupted (Ctrl-C), as shells report SIGINT. */
  interrupted: 130,
} as const;

export class UsageError extends Error {}

/** The CLI exit codes (docs/architecture.md, "Contracts"): 4 when a host key was refused, 3 for any other connection failure. */
export function exitCodeForSshError(error: SshError): 3 | 4 {
  return error.isHostKeyError ? ExitCode.hostKey : ExitCode.connect;
}

/** The exit code for a failed connect: 4 when a host key was refused, 3 for anything else. */
export function connectExitCode(error: unknown): number {
  return isSshError(error) ? exitCodeForSshError(error) : ExitCode.connect;
}

export type CliConnect = (host: string, io: CliIo) => Promise<RemoteRunner>;

/**
 * The host's runner; or, when connecting fails, says why on stderr and returns the exit code.
 * Interrupted while connecting, it returns 130 at once (the pool's dispose ends the dial).
 */
export async function connectOrExitCode(connect: CliConnect, host: string, io: CliIo): Promise<RemoteRunner | number> {
  if (io.signal.aborted) return ExitCode.interrupted;
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<number>((resolve) => {
    onAbort = () => resolve(ExitCode.interrupted);
    io.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([connect(host, io), interrupted]);
  } catch (error) {
    io.stderr.write(`firefighter: ${errorMessage(error)}\n`);
    return connectExitCode(error);
  } finally {
    io.signal.removeEventListener('abort', onAbort!);
  }
}

/** An error as one line of stderr: names from hosts.json or a host's words cannot drive the terminal. */
export function errorMessage(error: unknown): string {
  return visible(error instanceof Error ? error.message : String(error));
}

/** Text from a file or a host, with control characters shown (␛) instead of acted on by the terminal. */
export function visible(text: string): string {
  return makeVisible(text);
}

/** `HOST PID` as the process commands take them, or undefined when they are not that. */
export function hostAndPid(positional: readonly string[]): { host: string; pid: number } | undefined {
  if (positional.length !== 2 || positional[0].startsWith('-') || !/^[1-9]\d*$/.test(positional[1])) return undefined;
  return { host: positional[0], pid: Number(positional[1]) };
}
