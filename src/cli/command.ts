// Each CLI subcommand is a function of its arguments and streams, so tests run it in-process.

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
