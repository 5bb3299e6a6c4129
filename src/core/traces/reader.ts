// Lazily reads logical lines forward from a physical line, so a parser pays only for the lines
// it looks at (a line above the one it starts from is only counted until then). Lines before
// `floor` (already part of an earlier trace) are skipped.
import { isOneLogicalLine, logicalLinesOf } from './lines';
import type { LogicalLine } from './logicalLine';

/** The logical lines of one physical line, from `first` on (the ones before lie under the floor). */
interface LineGroup {
  /** null until a parser asks for the line: only groups known to hold one logical line wait. */
  lines: readonly LogicalLine[] | null;
  first: number;
  /** Reader index of lines[first]. */
  index: number;
  physicalStart: number;
  /** Excludes the newline. */
  physicalEnd: number;
}

export class LineReader {
  private readonly groups: LineGroup[] = [];
  private count = 0;
  private nextPhysical: number;
  /** Set when a parser asked for a line past `limit`: in a stream, the block may continue. */
  hitLimit = false;

  constructor(
    private readonly input: string,
    physicalStart: number,
    private readonly floor: number,
    /** End of the complete lines available. */
    private readonly limit: number,
    /** A physical line the caller already split (a long JSON line is then not unfolded again). */
    private readonly known?: { start: number; lines: readonly LogicalLine[] },
  ) {
    this.nextPhysical = physicalStart;
  }

  at(index: number): LogicalLine | undefined {
    while (this.count <= index && this.nextPhysical < this.limit) this.readPhysicalLine();
    if (index >= this.count || index < 0) {
      if (index >= this.count) this.hitLimit = true;
      return undefined;
    }
    const group = this.groupOf(index);
    return this.linesOf(group)[group.first + index - group.index];
  }

  /** Index of the line starting at input offset `offset`, or -1. */
  indexOfStart(offset: number): number {
    while (this.nextPhysical < this.limit && this.nextPhysical <= offset) this.readPhysicalLine();
    // Only the physical line holding `offset` is split: the lines above wait until a parser looks back.
    const group = this.groups[this.groups.length - 1];
    if (!group || offset < group.physicalStart || offset > group.physicalEnd) return -1;
    const lines = this.linesOf(group);
    let lo = group.first;
    let hi = lines.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = lines[mid].start;
      if (start === offset) return group.index + mid - group.first;
      if (start < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Text of line `index` with indentation and trailing spaces removed ('' past the end). */
  trimmed(index: number): string {
    return this.at(index)?.text.trim() ?? '';
  }

  private groupOf(index: number): LineGroup {
    let lo = 0;
    let hi = this.groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.groups[mid].index <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.groups[lo];
  }

  private linesOf(group: LineGroup): readonly LogicalLine[] {
    group.lines ??= logicalLinesOf(this.input, group.physicalStart, group.physicalEnd);
    return group.lines;
  }

  private readPhysicalLine(): void {
    const start = this.nextPhysical;
    let end = this.input.indexOf('\n', start);
    if (end < 0 || end >= this.limit) end = this.limit;
    this.nextPhysical = end + 1;
    if (end === this.limit && end > start && this.input.charCodeAt(end - 1) === 10) end--;
    const known = this.known?.start === start ? this.known.lines : null;
    // One logical line at or above the floor: counted now, split only if a parser reads it.
    if (!known && start >= this.floor && isOneLogicalLine(this.input, start, end)) {
      this.groups.push({ lines: null, first: 0, index: this.count, physicalStart: start, physicalEnd: end });
      this.count++;
      return;
    }
    const lines = known ?? logicalLinesOf(this.input, start, end);
    // Lines are in offset order: skip those under the floor by binary search.
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid].start < this.floor) lo = mid + 1;
      else hi = mid;
    }
    if (lo < lines.length) {
      this.groups.push({ lines, first: lo, index: this.count, physicalStart: start, physicalEnd: end });
      this.count += lines.length - lo;
    }
  }
}
