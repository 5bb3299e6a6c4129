// Retry spacing shared by what reconnects on its own (the log follower and the SSH pool):
// delays that double per failure up to a cap, and a sleep on the injectable clock that can be
// ended early (a user's "try now", or dispose). docs/architecture.md, "Time".
import type { Clock } from './clock';

export interface BackoffOptions {
  /** The first delay (default 250 ms). */
  initialMs?: number;
  /** The cap (default 10 s). */
  maxMs?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private failures = 0;
  private wakeSleeper: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    options: BackoffOptions = {},
  ) {
    this.initialMs = options.initialMs ?? 250;
    this.maxMs = options.maxMs ?? 10_000;
  }

  /**
   * Counts a failed attempt and returns the delay before the next one: `initialMs`, then twice as
   * long per consecutive failure, at most `maxMs`.
   */
  failed(): number {
    this.failures++;
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures - 1, 52));
  }

  /**
   * An attempt made progress (or reached the other side: the network is back), so the next failure
   * waits `initialMs` again.
   */
  succeeded(): void {
    this.failures = 0;
  }

  /**
   * Waits `ms` on the clock; `wake()` (or a second sleep) ends the wait at once. Someone awaits the
   * retry, but the clock's timers do not keep the process alive: the sleep holds it (the CLI would
   * otherwise exit in the middle of a reconnect).
   */
  sleep(ms: number): Promise<void> {
    this.wake();
    return new Promise<void>((resolve) => {
      const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
      const timer = this.clock.setTimeout(() => done(), ms);
      const done = () => {
        clearInterval(keepAlive);
        timer.cancel();
        if (this.wakeSleeper === done) this.wakeSleeper = undefined;
        resolve();
      };
      this.wakeSleeper = done;
    });
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    this.wakeSleeper?.();
  }
}
