// `firefighter tail HOST PATH [--lines N|+K] [--filter RE]`: print the last N lines of a log (or
// from line K, as `tail -n +K`) and follow it until interrupted, resuming across dropped
// connections and rotations.
import { noEvents, type EventPublisher } from '../core/events';
import { colourLine, noticeLine } from '../core/logs/ansi';
import { LogFollower } from '../core/logs/follower';
import { isSshError } from '../core/ssh/errors';
import { connectExitCode, connectOrExitCode, errorMessage, ExitCode, type CliCommand, type CliConnect } from './command';

const usage = `usage: firefighter tail HOST PATH [--lines N|+K] [--filter RE]
  --lines N: start with the last N lines (default 10); +K: from line K (+1: the whole file).
  PATH may start with ~/ for the ssh user's home on HOST (quote it: '~/app.log').
exit codes: 0 interrupted, 1 the log cannot be read (permission denied, not a file),
  2 bad usage, 3 cannot connect or authenticate, 4 host key refused
`;

interface TailArgs {
  host: string;
  path: string;
  /** The last `lines` lines, or from line `fromLine`. */
  start: { lines: number } | { fromLine: number };
  filter?: string;
}

/**
 * N or +K. A count past what any file holds (beyond 2^53) means the whole file, as it would for
 * tail; it is not passed on as a number that no longer counts exactly.
 */
function parseStart(value: string): TailArgs['start'] | undefined {
  const m = /^(\+?)(\d+)$/.exec(value);
  if (!m) return undefined;
  const huge = BigInt(m[2]) > BigInt(Number.MAX_SAFE_INTEGER);
  if (m[1] === '+') return { fromLine: huge ? Number.MAX_SAFE_INTEGER : Math.max(1, Number(m[2])) };
  return huge ? { fromLine: 1 } : { lines: Number(m[2]) };
}

function parseArgs(args: string[]): TailArgs | string {
  const positional: string[] = [];
  let start: TailArgs['start'] = { lines: 10 };
  let filter: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--lines' || name === '-n' || name === '--filter') {
      const value = inline ?? args[++i];
      if (value === undefined) return `${name} needs a value`;
      if (name === '--filter') filter = value;
      else {
        const parsed = parseStart(value);
        if (!parsed) return `--lines needs a number N or +K, not ${JSON.stringify(value)}`;
        start = parsed;
      }
    } else if (arg.startsWith('-') && arg !== '-') {
      return `unknown option ${arg}`;
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 2) return 'HOST and PATH are needed';
  if (filter !== undefined) {
    try {
      new RegExp(filter);
    } catch (error) {
      return `--filter: ${errorMessage(error)}`;
    }
  }
  return { host: positional[0], path: positional[1], start, filter };
}

/**
 * Exit codes: 0 interrupted (the normal end), 2 bad usage, 3 (4 for a host key) when connecting
 * or logging in fails, at the start or on a reconnect, 1 when the log cannot be read (permission,
 * not a file). Dropped connections are retried with backoff and reported on stderr.
 */
export function makeTailCommand(connect: CliConnect, events: EventPublisher = noEvents): CliCommand {
  return async (args, io) => {
    const parsed = parseArgs(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`firefighter tail: ${parsed}\n${usage}`);
      return ExitCode.usage;
    }
    const connected = await connectOrExitCode(connect, parsed.host, io);
    if (typeof connected === 'number') return connected;
    const stdout = io.stdout as NodeJS.WritableStream & { isTTY?: boolean };
    const colour = stdout.isTTY === true && io.env.NO_COLOR === undefined;
    const stderr = io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
    const colourNotices = stderr.isTTY === true && io.env.NO_COLOR === undefined;
    const follower = new LogFollower({
      host: parsed.host,
      path: parsed.path,
      connect: () => connect(parsed.host, io),
      ...('fromLine' in parsed.start ? { fromLine: parsed.start.fromLine } : { startLines: parsed.start.lines }),
      events,
      filter: parsed.filter === undefined ? undefined : { pattern: parsed.filter, regex: true },
      // The CLI has no "Open in editor": keep the ring small.
      buffer: { maxLines: 1, maxBytes: 1024 * 1024 },
    });
    follower.onDidAppend((lines) => {
      const text = lines.map((l) => colourLine(l, { colour, highlight: follower.filterRegExp })).join('\n');
      // A slow reader (a pipe into less) holds the host back instead of losing lines.
      if (!stdout.write(`${text}\n`)) {
        follower.pause();
        stdout.once('drain', () => follower.resume());
      }
    });
    follower.onDidNotice((notice) => io.stderr.write(`${noticeLine(notice.message, { colour: colourNotices })}\n`));
    const stop = () => follower.dispose();
    if (io.signal.aborted) stop();
    else io.signal.addEventListener('abort', stop, { once: true });
    await follower.done;
    io.signal.removeEventListener('abort', stop);
    if (follower.error) {
      io.stderr.write(`firefighter: ${follower.error.message}\n`);
      return isSshError(follower.error) ? connectExitCode(follower.error) : 1;
    }
    return ExitCode.ok;
  };
}
