// Refreshes the health of the hosts the user is looking at. Each watched host has its own
// timer; the next read is scheduled only after the previous one finished, so reads of a slow
// host never pile up. What is worth a timeline line goes to the incident events (./notable.ts).
import { noEvents, type EventPublisher } from '../events/bus';
import type { RemoteRunner } from '../ssh/remote';
import { systemClock, type Clock, type TimerHandle } from '../util/clock';
import { EventEmitter, type Disposable, type Event } from '../util/events';
import { flagsOf, notableReasons, sampledEvent, type HealthFlags } from './notable';
import type { HealthSampler } from './sampler';
import type { HealthReading } from './types';

export interface HealthSampleEvent {
  host: string;
  reading: HealthReading;
}

export interface HealthErrorEvent {
  host: string;
  error: Error;
}

export interface HealthMonitorOptions {
  /** Resolves a host name to its (pooled) runner. */
  connect: (host: string) => Promise<RemoteRunner>;
  /** Time between the end of one read and the start of the next (ms). */
  intervalMs: number;
  /**
   * Reads one host (a HealthSampler). Given, not built here, so the extension can load the
   * sampler with the SSH half on first use instead of at activation.
   */
  sampler: Pick<HealthSampler, 'sample'>;
  /** Where health.sampled and health.failed go (default: nowhere). */
  events?: EventPublisher;
  /** Schedules the reads (default: the system clock). */
  clock?: Clock;
}

/** What was last published for a host, so only changes are published again. */
interface Published {
  flags?: HealthFlags;
  /** The message of the failure published last, while reads keep failing. */
  failure?: string;
}

interface Watch {
  timer?: TimerHandle;
  /** Asked for while a read was running (refresh, or stop+start): read again as soon as it ends. */
  again: boolean;
}

export class HealthMonitor implements Disposable {
  private readonly sampleEmitter = new EventEmitter<HealthSampleEvent>();
  private readonly errorEmitter = new EventEmitter<HealthErrorEvent>();
  readonly onDidSample: Event<HealthSampleEvent> = this.sampleEmitter.event;
  readonly onDidFail: Event<HealthErrorEvent> = this.errorEmitter.event;

  private readonly watches = new Map<string, Watch>();
  /** Hosts with a read running; survives stop() so a restart cannot overlap the old read. */
  private readonly inFlight = new Set<string>();
  private readonly latestReadings = new Map<string, HealthReading>();
  private readonly published = new Map<string, Published>();
  private readonly sampler: Pick<HealthSampler, 'sample'>;
  private readonly events: EventPublisher;
  private readonly clock: Clock;
  private intervalMs: number;
  private disposed = false;

  constructor(private readonly options: HealthMonitorOptions) {
    this.sampler = options.sampler;
    this.events = options.events ?? noEvents;
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs;
  }

  /** Starts refreshing a host (it is visible); reads at once. Starting a watched host does nothing. */
  start(host: string): void {
    if (this.disposed || this.watches.has(host)) return;
    this.watches.set(host, { again: false });
    void this.read(host);
  }

  /** Stops refreshing a host (collapsed or disconnected). A read in flight still reports. */
  stop(host: string): void {
    const watch = this.watches.get(host);
    if (!watch) return;
    watch.timer?.cancel();
    this.watches.delete(host);
  }

  isWatching(host: string): boolean {
    return this.watches.has(host);
  }

  /** Reads a watched host now instead of at its next tick (once, if a read is running). */
  refresh(host: string): void {
    const watch = this.watches.get(host);
    if (!watch) return;
    watch.timer?.cancel();
    void this.read(host);
  }

  /** The most recent reading of a host, if any (kept after stop, e.g. for a collapsed node's tooltip). */
  latest(host: string): HealthReading | undefined {
    return this.latestReadings.get(host);
  }

  /** Applies to the next scheduled read of every host. */
  setInterval(intervalMs: number): void {
    this.intervalMs = intervalMs;
  }

  dispose(): void {
    this.disposed = true;
    for (const host of [...this.watches.keys()]) this.stop(host);
    this.sampleEmitter.dispose();
    this.errorEmitter.dispose();
  }

  private async read(host: string): Promise<void> {
    const watch = this.watches.get(host);
    if (!watch) return;
    if (this.inFlight.has(host)) {
      watch.again = true;
      return;
    }
    this.inFlight.add(host);
    watch.again = false;
    try {
      const runner = await this.options.connect(host);
      const reading = await this.sampler.sample(runner);
      this.latestReadings.set(host, reading);
      if (!this.disposed) {
        this.publishSample(reading);
        this.sampleEmitter.fire({ host, reading });
      }
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      if (!this.disposed) {
        this.publishFailure(host, error);
        this.errorEmitter.fire({ host, error });
      }
    } finally {
      this.inFlight.delete(host);
    }
    const current = this.watches.get(host);
    if (!current) return; // stopped meanwhile
    current.timer?.cancel();
    if (current.again) void this.read(host);
    else current.timer = this.clock.setTimeout(() => void this.read(host), this.intervalMs);
  }

  /** The host's first sample, the first after a failure, then a threshold crossing (./notable.ts). */
  private publishSample(reading: HealthReading): void {
    // A host without /proc has no figures to put on a timeline, and nothing will change.
    if (!reading.available) return;
    const published = this.published.get(reading.host) ?? {};
    const flags = flagsOf(reading);
    for (const reason of notableReasons(published.flags, flags, published.failure !== undefined)) {
      this.events.publish('health.sampled', 'health', sampledEvent(reading, reason));
    }
    this.published.set(reading.host, { flags });
  }

  /** Once per run of failures with the same message: a host down for an hour is one line, not 720. */
  private publishFailure(host: string, error: Error): void {
    const published = this.published.get(host) ?? {};
    if (published.failure === error.message) return;
    this.events.publish('health.failed', 'health', { host, message: error.message });
    this.published.set(host, { ...published, failure: error.message });
  }
}
