// One health read per call, one exec per read. The CPU counters and page size of the last read
// of each host are kept, so a refresh needs no in-script pause (busy % is measured over the
// refresh interval, as top does) and no getconf. The first read of a host (or one after a long
// gap) pairs two samples in-script.
import type { RemoteRunner } from '../ssh/remote';
import { shellWord } from '../util/shell';
import { healthScript, newNonce, parseHealthOutput, type HostSnapshot } from './proc';
import type { HealthReading } from './types';

export interface HealthSamplerOptions {
  /** How many processes a reading lists (default 10). */
  topCount?: number;
  /** The in-script pause between the two samples of a first read (default 0.2 s). */
  pairDelaySeconds?: number;
  /** An earlier sample older than this is not used for deltas (default 60 s). */
  maxPreviousAgeMs?: number;
  /** Per exec (default 15 s). */
  timeoutMs?: number;
  now?: () => number;
}

export class HealthSampler {
  private readonly previous = new Map<string, { snapshot: HostSnapshot; at: number }>();
  private readonly topCount: number;
  private readonly pairDelaySeconds: number;
  private readonly maxPreviousAgeMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: HealthSamplerOptions = {}) {
    this.topCount = options.topCount ?? 10;
    this.pairDelaySeconds = options.pairDelaySeconds ?? 0.2;
    this.maxPreviousAgeMs = options.maxPreviousAgeMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  async sample(runner: RemoteRunner): Promise<HealthReading> {
    const host = runner.host;
    const kept = this.previous.get(host);
    const previous = kept && this.now() - kept.at <= this.maxPreviousAgeMs ? kept.snapshot : undefined;
    const nonce = newNonce();
    const script = healthScript(nonce, previous ? undefined : this.pairDelaySeconds);
    const result = await runner.exec(`sh -c ${shellWord(script)}`, { timeoutMs: this.timeoutMs });
    if (result.exitCode !== 0) {
      const detail = result.stderr.trim() || (result.signal ? `signal ${result.signal}` : `exit code ${result.exitCode}`);
      throw new Error(
        `${host}: reading health failed: ${detail}. The read runs a POSIX sh script over /proc; check that the login shell of the ssh user can run sh, head and ls.`,
      );
    }
    const now = this.now();
    const parsed = parseHealthOutput(host, result.stdout, nonce, { previous, topCount: this.topCount, now });
    if (parsed.snapshot) this.previous.set(host, { snapshot: parsed.snapshot, at: now });
    return parsed.reading;
  }
}
