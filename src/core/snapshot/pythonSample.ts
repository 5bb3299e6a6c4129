// Sampling a CPython process on the host: one command starts the reader (pystacks.py) once, which
// reads every thread's stack at the given rate with the interpreter's layout resolved once, counts
// each distinct stack and answers once at the end. The reader ends when its time is up, when the
// process exits, or at once when its stdin ends (the channel closed, or the caller aborted).
// See docs/architecture.md, "Snapshots: sampling".
import type { RemoteRunner } from '../ssh/remote';
import { stripControl } from '../util/text';
import { bootCommand, PythonSnapshotError, pystacksScript, readerAnswer, runtimeOfVersion, toFrame } from './python';
import type { SnapshotFrame } from './types';

export interface PythonSampleOptions {
  seconds: number;
  hz: number;
  /** Distinct stacks kept on the host; later new ones are counted as other stacks (default 5000). */
  maxStacks?: number;
  /** Keep threads the kernel does not have running (state other than R); default false, as py-spy without --idle. */
  idle?: boolean;
  /** Stops the host's loop at once: the reader answers with what it has, then the channel is closed. */
  signal?: AbortSignal;
  /** The interpreter that runs the reader; default: the target's own, from /proc/PID/exe. */
  python?: string;
}

export interface PythonSampleRun {
  /** "cpython 3.11" */
  runtime: string;
  /** Ticks the reader took (each one reads every thread). */
  samples: number;
  /** Distinct stacks, innermost first, with how often each was seen in a running thread. */
  stacks: { frames: SnapshotFrame[]; count: number }[];
  /** Sightings of stacks beyond the cap of distinct ones. */
  otherStacks: number;
  /** Sightings left out because their thread was idle (0 when idle threads are kept). */
  idleStacks: number;
  /** Ticks whose thread list could not be read, and the first reason. */
  failures: number;
  firstFailure?: string;
  /** Why the run ended: its time was up, the caller stopped it, or the process exited. */
  ended: 'deadline' | 'stopped' | 'exited';
  /** Epoch ms on the host when the run started. */
  takenAt: number;
  /** The reader's own CPU time on the host, ms (interpreter start included). */
  cpuMs: number;
  /** Time spent reading stacks on the host, ms, over all ticks. */
  readMs: number;
}

interface SampleAnswer {
  ok: boolean;
  kind?: string;
  message?: string;
  version?: string;
  takenAt?: number;
  samples?: number;
  idleStacks?: number;
  otherStacks?: number;
  failures?: number;
  firstFailure?: string;
  ended?: string;
  readMs?: number;
  cpuMs?: number;
  frames?: [string, string, number | null][];
  stacks?: { frames: number[]; count: number }[];
}

const DEFAULT_MAX_STACKS = 5000;
/** Bounds the answer kept from the host (its distinct stacks and frames are bounded there too). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** How long past its run the reader may take to answer before the channel is closed. */
const ANSWER_GRACE_MS = 30_000;
/** After an abort, how long the reader has to print what it has before the channel is closed. */
const ABORT_GRACE_MS = 2_000;

/**
 * The sampling command: the prelude finds the interpreter, which reads exactly the script's bytes
 * from stdin and runs it; the rest of stdin stays open so that its end stops the run.
 */
export function pythonSampleCommand(pid: number, scriptBytes: number, options: PythonSampleOptions): string {
  const args = ['sample', options.seconds, options.hz, options.maxStacks ?? DEFAULT_MAX_STACKS, ...(options.idle ? ['idle'] : [])];
  return bootCommand(pid, scriptBytes, args, options.python);
}

/** Turns the reader's sampling answer into frames; throws PythonSnapshotError for a failure it reports. */
export function parseSampleAnswer(host: string, pid: number, stdout: string, stderr: string): PythonSampleRun {
  const answer = readerAnswer<SampleAnswer>(host, pid, stdout, stderr);
  const table = (answer.frames ?? []).map(([fn, file, line]) => toFrame({ function: fn, file, line }));
  const stacks = (answer.stacks ?? []).map((s) => ({
    frames: s.frames.map((i) => table[i]).filter((f) => f !== undefined),
    count: s.count,
  }));
  const ended = answer.ended === 'stdin' ? 'stopped' : answer.ended === 'exited' ? 'exited' : 'deadline';
  return {
    runtime: runtimeOfVersion(answer.version),
    samples: answer.samples ?? 0,
    stacks,
    otherStacks: answer.otherStacks ?? 0,
    idleStacks: answer.idleStacks ?? 0,
    failures: answer.failures ?? 0,
    ...(answer.firstFailure ? { firstFailure: stripControl(answer.firstFailure) } : {}),
    ended,
    takenAt: answer.takenAt ?? 0,
    cpuMs: answer.cpuMs ?? 0,
    readMs: answer.readMs ?? 0,
  };
}

function collect(stream: NodeJS.ReadableStream, chunks: Buffer[]): Promise<void> {
  let size = 0;
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer | string) => {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (size + data.length <= MAX_ANSWER_BYTES) chunks.push(data);
      size += data.length;
    });
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}

/**
 * Samples process `pid` on the runner's host in one command (one round trip): the reader runs
 * `seconds` at `hz` there and answers once. Throws PythonSnapshotError when the process cannot be
 * read (notPython, permission, …) so that the caller can fall back to another engine.
 */
export async function samplePythonStacks(runner: RemoteRunner, pid: number, options: PythonSampleOptions): Promise<PythonSampleRun> {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new PythonSnapshotError('noProcess', `${runner.host}: ${pid} is not a process id.`);
  const script = Buffer.from(pystacksScript('sample'), 'utf8');
  const remote = await runner.spawn(pythonSampleCommand(pid, script.length, options));
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const drained = Promise.all([collect(remote.stdout, stdout), collect(remote.stderr, stderr)]);
  const timers: NodeJS.Timeout[] = [];
  const closeAfter = (ms: number) => timers.push(setTimeout(() => remote.close(), ms));
  // Stopping: stdin's end stops the loop on the host at once; it prints what it has and exits.
  // The channel is closed regardless soon after, so nothing can keep it running.
  const stop = () => {
    remote.stdin.end();
    closeAfter(ABORT_GRACE_MS);
  };
  remote.stdin.on('error', () => undefined);
  remote.stdin.write(script);
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  closeAfter(options.seconds * 1000 + ANSWER_GRACE_MS);
  try {
    const exit = await remote.exit;
    // the exit may be known before the streams are drained; a lost connection never drains them
    await Promise.race([drained, new Promise((resolve) => timers.push(setTimeout(resolve, exit.error ? 0 : ABORT_GRACE_MS)))]);
    if (exit.error && stdout.length === 0) throw exit.error;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    for (const timer of timers) clearTimeout(timer);
    remote.close();
  }
  return parseSampleAnswer(runner.host, pid, Buffer.concat(stdout).toString('utf8'), Buffer.concat(stderr).toString('utf8'));
}
