// Sampling: a CPython process is sampled on the host by the reader itself (one command, one round
// trip); other processes by repeated snapshots of an engine that does not stop them for long.
// Either way folded into a StackProfile (docs/architecture.md, "Snapshots: sampling").
import { noEvents, type EventPublisher } from '../events';
import type { RemoteRunner } from '../ssh/remote';
import { systemClock, type Clock } from '../util/clock';
import { StackProfile } from './profile';
import { PythonSnapshotError } from './python';
import { samplePythonStacks } from './pythonSample';
import { SnapshotError, snapshotAgain, takeSnapshot, isProcessGone } from './snapshot';
import type { EngineName } from './types';

export interface SampleOptions {
  seconds: number;
  hz: number;
  events?: EventPublisher;
  clock?: Clock;
  signal?: AbortSignal;
  /** Keep idle threads' stacks (CPython targets; default: left out, as py-spy does without --idle). */
  idle?: boolean;
}

export interface SampleResult {
  host: string;
  pid: number;
  runtime: string;
  engine: EngineName;
  profile: StackProfile;
  /** Snapshots that failed mid-run (the process may have been busy exiting); the first message. */
  failures: number;
  firstFailure?: string;
  /** CPython targets: stack sightings left out because their thread was idle. */
  idleStacks?: number;
}

/** gdb stops every thread for a quarter second or more: never used to sample. */
const SAMPLING_ENGINES: readonly EngineName[] = ['python', 'py-spy', 'eu-stack'];

function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

export async function sampleProcess(runner: RemoteRunner, pid: number, options: SampleOptions): Promise<SampleResult> {
  let pythonFailure: string;
  try {
    const run = await samplePythonStacks(runner, pid, {
      seconds: options.seconds,
      hz: options.hz,
      idle: options.idle,
      signal: options.signal,
    });
    const profile = new StackProfile();
    profile.addCounted(run.samples, run.stacks, run.otherStacks);
    return published(options, {
      host: runner.host,
      pid,
      runtime: run.runtime,
      engine: 'python',
      profile,
      failures: run.failures,
      ...(run.firstFailure !== undefined ? { firstFailure: run.firstFailure } : {}),
      idleStacks: run.idleStacks,
    });
  } catch (error) {
    // not a CPython process the reader can read: sample by repeated snapshots of another engine
    if (!(error instanceof PythonSnapshotError) || isProcessGone(error)) throw error;
    pythonFailure = error.message;
  }
  return sampleBySnapshots(runner, pid, options, pythonFailure);
}

function published(options: SampleOptions, result: SampleResult): SampleResult {
  (options.events ?? noEvents).publish('sample.taken', 'snapshot', {
    host: result.host,
    pid: result.pid,
    engine: result.engine,
    runtime: result.runtime,
    samples: result.profile.samples,
    seconds: options.seconds,
    hz: options.hz,
    pauseMs: Math.round(result.profile.pauseMs * 10) / 10,
  });
  return result;
}

/** Repeated snapshots on a 1/hz grid, for engines that take one at a time (py-spy, eu-stack). */
async function sampleBySnapshots(runner: RemoteRunner, pid: number, options: SampleOptions, pythonFailure: string): Promise<SampleResult> {
  const clock = options.clock ?? systemClock;
  const intervalMs = 1000 / options.hz;
  const start = clock.now();
  const end = start + options.seconds * 1000;
  // The first snapshot chooses the engine (and says what the process runs); the rest reuse it.
  const first = await takeSnapshot(runner, pid, { clock });
  if (!SAMPLING_ENGINES.includes(first.engine)) {
    const why = first.runtime.startsWith('cpython') ? ` (${pythonFailure})` : '';
    throw new SnapshotError(
      `${runner.host}: process ${pid} (${first.runtime}) can only be read with ${first.engine}, which stops it${why}; take single snapshots instead, or install elfutils (eu-stack).`,
    );
  }
  const profile = new StackProfile();
  profile.add(first);
  let failures = 0;
  let firstFailure: string | undefined;
  let next = start + intervalMs;
  while (!options.signal?.aborted) {
    // Ticks stay on a fixed grid from the start; a snapshot that overran skips the ticks it missed.
    const now = clock.now();
    if (next < now) next = start + Math.ceil((now - start) / intervalMs) * intervalMs;
    if (next >= end) break;
    await delay(clock, next - now);
    next += intervalMs;
    try {
      profile.add(await snapshotAgain(runner, first.process, first.engine, { clock }));
    } catch (error) {
      failures++;
      firstFailure ??= error instanceof Error ? error.message : String(error);
    }
  }
  return published(options, {
    host: runner.host,
    pid,
    runtime: first.runtime,
    engine: first.engine,
    profile,
    failures,
    ...(firstFailure !== undefined ? { firstFailure } : {}),
  });
}
