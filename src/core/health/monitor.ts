// Refreshes the health of the hosts the user is looking at. Each watched host has its own
// timer; the next read is scheduled only after the previous one finished, so reads of a slow
// host never pile up.
import type { RemoteRunner } from '../ssh/remote';
import { EventEmitter, type Disposable, type Event } from '../util/events';
import { HealthSampler } from './sampler';
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
  sampler?: HealthSampler;
}

interface Watch {
  timer?: NodeJS.Timeout;
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
  private readonly sampler: HealthSampler;
  private intervalMs: number;
  private disposed = false;

  constructor(private readonly options: HealthMonitorOptions) {
    this.sampler = options.sampler ?? new HealthSampler();
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
    clearTimeout(watch.timer);
    this.watches.delete(host);
  }

  isWatching(host: string): boolean {
    return this.watches.has(host);
  }

  /** Reads a watched host now instead of at its next tick (once, if a read is running). */
  refresh(host: string): void {
    const watch = this.watches.get(host);
    if (!watch) return;
    clearTimeout(watch.timer);
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
      if (!this.disposed) this.sampleEmitter.fire({ host, reading });
    } catch (error) {
      if (!this.disposed) this.errorEmitter.fire({ host, error: error instanceof Error ? error : new Error(String(error)) });
    } finally {
      this.inFlight.delete(host);
    }
    const current = this.watches.get(host);
    if (!current) return; // stopped meanwhile
    clearTimeout(current.timer);
    if (current.again) void this.read(host);
    else current.timer = setTimeout(() => void this.read(host), this.intervalMs);
  }
}
