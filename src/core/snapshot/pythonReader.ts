// A CPython reader kept alive for a session: pystacks.py started once on the pooled connection in
// its `serve` mode, the target resolved once, then one snapshot for each line written to its
// stdin, answered as one JSON line. Nothing stays on the host: the reader ends when its stdin
// ends (close(), the channel or the connection closed) or after `idleSeconds` without a request.
// See docs/architecture.md, "Snapshots: CPython".
import { noEvents, type EventPublisher } from '../events';
import type { RemoteProcess, RemoteRunner } from '../ssh/remote';
import { systemClock, type Clock } from '../util/clock';
import {
  bootCommand,
  parseReaderAnswer,
  pystacksScript,
  pythonSnapshot,
  PythonSnapshotError,
  requirePid,
  type PythonSnapshot,
} from './python';

export interface PythonReaderOptions {
  /** The interpreter that runs the reader; default: the target's own, from /proc/PID/exe. */
  python?: string;
  /** The reader ends itself after this long without a request (default 15 minutes). */
  idleSeconds?: number;
}

export interface ReaderSnapshotOptions {
  events?: EventPublisher;
  clock?: Clock;
  /** The reader is closed when an answer takes longer (default 10 s). */
  timeoutMs?: number;
}

const DEFAULT_IDLE_SECONDS = 15 * 60;
const DEFAULT_TIMEOUT_MS = 10_000;
/** One answer is at most about 2 MB (the reader bounds frames and threads); a longer line ends the reader. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** After the reader's exit, how long its last output may take to arrive. */
const EXIT_GRACE_MS = 1_000;

/** The command that starts a serving reader for `pid`, its script of `scriptBytes` first on stdin. */
export function pythonServeCommand(pid: number, scriptBytes: number, options: PythonReaderOptions = {}): string {
  return bootCommand(pid, scriptBytes, ['serve', Math.round(options.idleSeconds ?? DEFAULT_IDLE_SECONDS)], options.python);
}

/**
 * Splits a byte stream into lines, each handed to `onLine` without its newline; a line longer
 * than `maxBytes` calls `onOverflow` once and nothing more is handed on.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private size = 0;
  private overflowed = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    for (let at = chunk.indexOf(10); at >= 0 && !this.overflowed; at = chunk.indexOf(10, from)) {
      this.pending.push(chunk.subarray(from, at));
      const line = Buffer.concat(this.pending).toString('utf8');
      this.pending = [];
      this.size = 0;
      from = at + 1;
      this.onLine(line);
    }
    if (this.overflowed || from >= chunk.length) return;
    this.size += chunk.length - from;
    if (this.size > this.maxBytes) {
      this.overflowed = true;
      this.pending = [];
      this.onOverflow();
      return;
    }
    this.pending.push(chunk.subarray(from));
  }
}

export class PythonStacksReader {
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string | undefined) => void)[] = [];
  private stderr = '';
  private isAlive = true;
  private queue: Promise<unknown> = Promise.resolve();
  /** Resolves when the reader's channel has closed (it ended, was closed, or the connection went). */
  readonly ended: Promise<void>;

  private constructor(
    private readonly runner: RemoteRunner,
    readonly pid: number,
    private readonly remote: RemoteProcess,
  ) {
    const splitter = new LineSplitter(
      (line) => this.deliver(line),
      () => this.close(),
    );
    remote.stdout.on('data', (chunk: Buffer | string) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    remote.stderr.on('data', (chunk: Buffer | string) => {
      // only its last lines matter (a failure's reason); bounded
      this.stderr = (this.stderr + chunk.toString()).slice(-4096);
    });
    remote.stdin.on('error', () => undefined);
    // ended once stdout is drained (its last answer delivered); the exit alone when it never is (a lost connection)
    const drained = new Promise<void>((resolve) => {
      remote.stdout.once('end', resolve);
      remote.stdout.once('close', resolve);
    });
    const exited = remote.exit.then(({ error }) => new Promise<void>((resolve) => setTimeout(resolve, error ? 0 : EXIT_GRACE_MS).unref()));
    this.ended = Promise.race([drained, exited]).then(() => {
      this.isAlive = false;
      for (const waiter of this.waiters.splice(0)) waiter(undefined);
    });
  }

  /** Starts the reader on the host: the channel opened and the script sent; the host compiles it meanwhile. */
  static async start(runner: RemoteRunner, pid: number, options: PythonReaderOptions = {}): Promise<PythonStacksReader> {
    requirePid(runner.host, pid);
    const script = Buffer.from(pystacksScript(), 'utf8');
    const remote = await runner.spawn(pythonServeCommand(pid, script.length, options));
    const reader = new PythonStacksReader(runner, pid, remote);
    remote.stdin.write(script);
    return reader;
  }

  get host(): string {
    return this.runner.host;
  }

  /** False once its channel has closed: a new reader must be started. */
  get alive(): boolean {
    return this.isAlive;
  }

  /** One snapshot, now. Requests are answered in order, one at a time. */
  snapshot(options: ReaderSnapshotOptions = {}): Promise<PythonSnapshot> {
    const result = this.queue.then(() => this.ask(options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Ends the reader: its stdin ends (it exits at once) and the channel is closed. */
  close(): void {
    this.isAlive = false;
    this.remote.stdin.end();
    this.remote.close();
  }

  private async ask(options: ReaderSnapshotOptions): Promise<PythonSnapshot> {
    const clock = options.clock ?? systemClock;
    const takenAt = clock.now();
    // an answer waiting before any request is the prelude's failure (not a python, no such process)
    const line = this.lines.shift() ?? (await this.request(options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    const answer = parseReaderAnswer(this.host, this.pid, line ?? '', this.stderr);
    return pythonSnapshot(this.host, this.pid, answer, takenAt, clock.now() - takenAt, options.events ?? noEvents);
  }

  private request(timeoutMs: number): Promise<string | undefined> {
    if (!this.isAlive) {
      return Promise.reject(
        new PythonSnapshotError('failed', `${this.host}: the Python stacks reader for process ${this.pid} has ended; start a new one.`),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(answered), 1);
        this.close();
        reject(
          new PythonSnapshotError(
            'failed',
            `${this.host}: the Python stacks reader for process ${this.pid} did not answer within ${timeoutMs} ms.`,
          ),
        );
      }, timeoutMs);
      const answered = (line: string | undefined) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.waiters.push(answered);
      this.remote.stdin.write('snapshot\n');
    });
  }

  private deliver(line: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(line);
    else if (this.lines.length < 16) this.lines.push(line);
  }
}
