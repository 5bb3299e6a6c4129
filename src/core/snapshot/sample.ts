// Sampling: repeated snapshots of one process by an engine that does not stop it for long,
// folded into a StackProfile (docs/architecture.md, "Snapshots: sampling").
import { noEvents, type EventPublisher } from '../events';
import type { RemoteRunner } from '../ssh/remote';
import { systemClock, type Clock } from '../util/clock';
import { StackProfile } from './profile';
import { SnapshotError, snapshotAgain, takeSnapshot } from './snapshot';
import type { EngineName } from './types';

export interface SampleOptions {
  seconds: number;
  hz: number;
  events?: EventPublisher;
  clock?: Clock;
  signal?: AbortSignal;
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
}

/** gdb stops every thread for a quarter second or more: never used to sample. */
const SAMPLING_ENGINES: readonly EngineName[] = ['python', 'py-spy', 'eu-stack'];

function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

export async function sampleProcess(runner: RemoteRunner, pid: number, options: SampleOptions): Promise<SampleResult> {
  const clock = options.clock ?? systemClock;
  const intervalMs = 1000 / options.hz;
  const start = clock.now();
  const end = start + options.seconds * 1000;
  // The first snapshot chooses the engine (and says what the process runs); the rest reuse it.
  const first = await takeSnapshot(runner, pid, { clock });
  if (!SAMPLING_ENGINES.includes(first.engine)) {
    throw new SnapshotError(`${runner.host}: process ${pid} (${first.runtime}) can only be read with ${first.engine}, which stops it; take single snapshots instead, or install elfutils (eu-stack).`);
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
  (options.events ?? noEvents).publish('sample.taken', 'snapshot', {
    host: runner.host,
    pid,
    engine: first.engine,
    runtime: first.runtime,
    samples: profile.samples,
    seconds: options.seconds,
    hz: options.hz,
    pauseMs: Math.round(profile.pauseMs * 10) / 10,
  });
  return { host: runner.host, pid, runtime: first.runtime, engine: first.engine, profile, failures, ...(firstFailure !== undefined ? { firstFailure } : {}) };
}
