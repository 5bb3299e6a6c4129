// A sampling profile: many snapshots of one process folded into counts per distinct stack, the
// hottest first, and written out for other tools as collapsed stacks (one `root;…;leaf count`
// line per stack, as flamegraph.pl and speedscope read them) or speedscope's JSON
// (docs/architecture.md, "Snapshots: sampling").
import type { Snapshot, SnapshotFrame } from './types';

export interface StackCount {
  /** Root first, as flame graphs draw them. */
  frames: SnapshotFrame[];
  count: number;
}

/** Bounds a profile's memory: a stack seen once among this many distinct ones adds to "(other)". */
const MAX_DISTINCT_STACKS = 20_000;
const OTHER: SnapshotFrame = { function: '(other stacks)', file: null, line: null, column: null, app: false, local: null };

export function frameLabel(frame: SnapshotFrame): string {
  const where = frame.file === null ? '' : ` (${frame.file}${frame.line === null ? '' : `:${frame.line}`})`;
  // `;` separates frames in the collapsed format and a line ends a stack: neither may be in a name.
  return `${frame.function}${where}`.replace(/[;\n\r]/g, ' ');
}

export class StackProfile {
  private readonly stacks = new Map<string, StackCount>();
  /** Snapshots added. */
  samples = 0;
  /** The sum of the snapshots' pauses, ms. */
  pauseMs = 0;

  /** Counts every thread's stack of one snapshot (threads without frames are not a stack). */
  add(snapshot: Pick<Snapshot, 'threads' | 'pauseMs'>): void {
    this.samples++;
    this.pauseMs += snapshot.pauseMs;
    for (const thread of snapshot.threads) {
      if (thread.frames.length === 0) continue;
      const frames = [...thread.frames].reverse();
      const key = frames.map(frameLabel).join(';');
      const known = this.stacks.get(key);
      if (known) known.count++;
      else if (this.stacks.size < MAX_DISTINCT_STACKS) this.stacks.set(key, { frames, count: 1 });
      else this.addOther();
    }
  }

  /**
   * Adds counts a sampler aggregated elsewhere (the CPython engine's host-side run): `samples`
   * ticks, each stack innermost first with how often it was seen, and `other` stack sightings
   * the sampler could not keep apart.
   */
  addCounted(samples: number, stacks: readonly { frames: SnapshotFrame[]; count: number }[], other = 0): void {
    this.samples += samples;
    for (const stack of stacks) {
      if (stack.frames.length === 0 || stack.count <= 0) continue;
      const frames = [...stack.frames].reverse();
      const key = frames.map(frameLabel).join(';');
      const known = this.stacks.get(key);
      if (known) known.count += stack.count;
      else if (this.stacks.size < MAX_DISTINCT_STACKS) this.stacks.set(key, { frames, count: stack.count });
      else this.addOther(stack.count);
    }
    if (other > 0) this.addOther(other);
  }

  private addOther(count = 1): void {
    const key = frameLabel(OTHER);
    const other = this.stacks.get(key);
    if (other) other.count += count;
    else this.stacks.set(key, { frames: [OTHER], count });
  }

  /** Distinct stacks, most often seen first. */
  hottest(): StackCount[] {
    return [...this.stacks.values()].sort((a, b) => b.count - a.count);
  }

  /** `root;caller;leaf count` lines, hottest first. */
  toCollapsed(): string {
    return this.hottest()
      .map((s) => `${s.frames.map(frameLabel).join(';')} ${s.count}\n`)
      .join('');
  }

  /** speedscope's file format: one sampled profile, each distinct stack once with its count as weight. */
  toSpeedscope(name: string): object {
    const frames: { name: string; file?: string; line?: number }[] = [];
    const index = new Map<string, number>();
    const frameIndex = (frame: SnapshotFrame): number => {
      const label = frameLabel(frame);
      let i = index.get(label);
      if (i === undefined) {
        i = frames.length;
        index.set(label, i);
        frames.push({
          name: frame.function,
          ...(frame.file !== null ? { file: frame.file } : {}),
          ...(frame.line !== null ? { line: frame.line } : {}),
        });
      }
      return i;
    };
    const hottest = this.hottest();
    const samples = hottest.map((s) => s.frames.map(frameIndex));
    const weights = hottest.map((s) => s.count);
    return {
      $schema: 'https://www.speedscope.app/file-format-schema.json',
      exporter: 'firefighter',
      name,
      activeProfileIndex: 0,
      shared: { frames },
      profiles: [{ type: 'sampled', name, unit: 'none', startValue: 0, endValue: weights.reduce((a, b) => a + b, 0), samples, weights }],
    };
  }
}
