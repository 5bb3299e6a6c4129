// A line as a trace parser reads it, with the input offset of each of its characters, so frames
// found in a cleaned or unfolded line still point back into the original text (./lines.ts).

export class LogicalLine {
  private constructor(
    readonly text: string,
    /** Offset of text[0] when the line is a plain slice of the input. */
    private readonly base: number,
    /** Offset of each character (plus one past the end) when the line was transformed. */
    private readonly table: Int32Array | null,
    /** Bounds of the physical input line this came from. */
    readonly physicalStart: number,
    readonly physicalEnd: number,
  ) {}

  static plain(text: string, base: number, physicalStart: number, physicalEnd: number): LogicalLine {
    return new LogicalLine(text, base, null, physicalStart, physicalEnd);
  }

  static mapped(text: string, table: Int32Array, physicalStart: number, physicalEnd: number): LogicalLine {
    return new LogicalLine(text, 0, table, physicalStart, physicalEnd);
  }

  /** Input offset of text[index]; index may be text.length (the end of the line). */
  offsetAt(index: number): number {
    if (this.table === null) return this.base + index;
    return this.table[Math.max(0, Math.min(index, this.table.length - 1))];
  }

  get start(): number {
    return this.offsetAt(0);
  }

  get end(): number {
    return this.offsetAt(this.text.length);
  }

  /** The line without its first `count` characters. */
  dropStart(count: number): LogicalLine {
    return count === 0 ? this : this.slice(count, this.text.length);
  }

  /** Characters [from, to) of the line, keeping their offsets. */
  slice(from: number, to: number): LogicalLine {
    const text = this.text.slice(from, to);
    if (this.table === null) return LogicalLine.plain(text, this.base + from, this.physicalStart, this.physicalEnd);
    return LogicalLine.mapped(text, this.table.subarray(from, to + 1), this.physicalStart, this.physicalEnd);
  }

  /** This line followed by `separator` and `next`; the separator maps to where `next` starts. */
  join(next: LogicalLine, separator: string): LogicalLine {
    const text = this.text + separator + next.text;
    const table = new Int32Array(text.length + 1);
    for (let i = 0; i < this.text.length; i++) table[i] = this.offsetAt(i);
    for (let i = 0; i < separator.length; i++) table[this.text.length + i] = next.offsetAt(0);
    const offset = this.text.length + separator.length;
    for (let i = 0; i <= next.text.length; i++) table[offset + i] = next.offsetAt(i);
    return LogicalLine.mapped(text, table, this.physicalStart, next.physicalEnd);
  }

  /** Writes the offsets of text[from, to) into target starting at targetIndex. */
  copyOffsets(target: Int32Array, targetIndex: number, from: number, to: number): void {
    if (this.table === null) for (let k = from; k < to; k++) target[targetIndex++] = this.base + k;
    else target.set(this.table.subarray(from, to), targetIndex);
  }

  isBlank(): boolean {
    for (let i = 0; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c !== 32 && c !== 9) return false;
    }
    return true;
  }
}
