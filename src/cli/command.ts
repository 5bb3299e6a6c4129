// Each CLI subcommand is a function of its arguments and streams, so tests run it in-process.
import { exitCodeForSshError, isSshError } from '../core/ssh/errors';

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

/** DESIGN.md exit codes. */
export const ExitCode = {
  ok: 0,
  usage: 2,
  connect: 3,
  hostKey: 4,
} as const;

export class UsageError extends Error {}

/** The exit code for a failed connect: 4 when a host key was refused, 3 for anything else. */
export function connectExitCode(error: unknown): number {
  return isSshError(error) ? exitCodeForSshError(error) : ExitCode.connect;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
