// Lazily reads logical lines forward from a physical line, so a parser pays only for the lines
// it looks at. Lines before `floor` (already part of an earlier trace) are skipped.
import { LogicalLine, logicalLinesOf } from './lines';

export class LineReader {
  private readonly lines: LogicalLine[] = [];
  private nextPhysical: number;
  /** Set when a parser asked for a line past `limit`: in a stream, the block may continue. */
  hitLimit = false;

  constructor(
    private readonly input: string,
    physicalStart: number,
    private readonly floor: number,
    /** End of the complete lines available. */
    private readonly limit: number,
  ) {
    this.nextPhysical = physicalStart;
  }

  at(index: number): LogicalLine | undefined {
    while (this.lines.length <= index && this.nextPhysical < this.limit) this.readPhysicalLine();
    if (index >= this.lines.length) {
      this.hitLimit = true;
      return undefined;
    }
    return this.lines[index];
  }

  /** Index of the line starting at input offset `offset`, or -1. */
  indexOfStart(offset: number): number {
    for (let i = 0; ; i++) {
      const line = this.at(i);
      if (!line || line.start > offset) return -1;
      if (line.start === offset) return i;
    }
  }

  /** Text of line `index` with indentation and trailing spaces removed ('' past the end). */
  trimmed(index: number): string {
    return this.at(index)?.text.trim() ?? '';
  }

  private readPhysicalLine(): void {
    const start = this.nextPhysical;
    let end = this.input.indexOf('\n', start);
    if (end < 0 || end >= this.limit) end = this.limit;
    this.nextPhysical = end + 1;
    if (end === this.limit && end > start && this.input.charCodeAt(end - 1) === 10) end--;
    for (const line of logicalLinesOf(this.input, start, end)) {
      if (line.start >= this.floor) this.lines.push(line);
    }
  }
}
