// One state-changing command run on a host for the user (deploy, verify, restart, a signal): its
// output kept for the user to read (the tail, bounded), and a failure turned into an error that
// names the host and says what to do next.
import type { RemoteRunner } from '../ssh/remote';
import { stripControl } from '../util/text';

/** The most output kept of one command for the user to read: its last 64 KiB per stream. */
export const MAX_SHOWN_OUTPUT = 64 * 1024;

export interface HostCommandRun {
  host: string;
  command: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Something the user can act on: it names the host, what happened and what to do next. */
export class HostCommandError extends Error {
  constructor(
    message: string,
    /** The failed run, when the command ran: its output is worth showing. */
    readonly run?: HostCommandRun,
  ) {
    super(message);
  }
}

function tail(text: string): string {
  return text.length <= MAX_SHOWN_OUTPUT ? text : `…${text.slice(-MAX_SHOWN_OUTPUT)}`;
}

export interface RunHostCommandOptions {
  timeoutMs: number;
  /** "The deploy of hotfix/x to web-1": the subject of the error message. */
  what: string;
  /** The next step, said after a failure. */
  next: string;
  /** A non-zero exit is a result, not an error (verify). */
  allowFailure?: boolean;
}

export async function runHostCommand(runner: RemoteRunner, command: string, options: RunHostCommandOptions): Promise<HostCommandRun> {
  let result;
  try {
    result = await runner.exec(command, { timeoutMs: options.timeoutMs });
  } catch (error) {
    throw new HostCommandError(
      `${options.what} did not finish: ${(error as Error).message}. Check ${runner.host}'s connection in the Hosts view and what the command left behind before running it again.`,
    );
  }
  const run: HostCommandRun = {
    host: runner.host,
    command,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: tail(result.stdout),
    stderr: tail(result.stderr),
  };
  if (run.exitCode !== 0 && !options.allowFailure) {
    const outcome = run.exitCode !== null ? `exit code ${run.exitCode}` : `signal ${run.signal ?? 'unknown'}`;
    const why = lastLine(run.stderr) || lastLine(run.stdout);
    throw new HostCommandError(`${options.what} failed on ${runner.host} (${outcome}${why ? `: ${why}` : ''}). ${options.next}`, run);
  }
  return run;
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return stripControl(lines.at(-1) ?? '').slice(0, 200);
}
