// Time, injectable: the pool, the health monitor and the follower read the clock and set their
// timers through this, so unit tests drive time by hand instead of sleeping and measuring gaps
// (docs/architecture.md, "Time").

export interface TimerHandle {
  /** Cancels the timer; safe to call after it fired. */
  cancel(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `callback` once after `ms`. The handle does not keep the process alive (like `unref`). */
  setTimeout(callback: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** A clock for tests: time moves only when `advance` is called, firing due timers in order. */
export class ManualClock implements Clock {
  private time: number;
  private readonly timers = new Set<{ due: number; seq: number; callback: () => void }>();
  private seq = 0;

  constructor(start = 1_764_660_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { due: this.time + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing each timer that falls due, earliest first. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: { due: number; seq: number; callback: () => void } | undefined;
      for (const timer of this.timers) {
        if (timer.due <= end && (!next || timer.due < next.due || (timer.due === next.due && timer.seq < next.seq))) next = timer;
      }
      if (!next) break;
      this.timers.delete(next);
      this.time = Math.max(this.time, next.due);
      next.callback();
    }
    this.time = end;
  }
}
