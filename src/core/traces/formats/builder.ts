// Collects one exception's header and frames while a format parser walks its lines.
import type { LogicalLine } from '../logicalLine';
import type { FrameLocation } from '../syntax';
import type { ExceptionRelation, StackFrame, TextSpan, TraceException, TraceLanguage } from '../types';
import { isApplicationFrame } from '../classify';

export class ExceptionBuilder {
  readonly frames: StackFrame[] = [];
  private spanStart: number;
  private spanEnd: number;

  constructor(
    public type: string | null,
    public message: string,
    readonly relation: ExceptionRelation | null,
    readonly innermostFirst: boolean,
    headerSpan: TextSpan,
  ) {
    this.spanStart = headerSpan.start;
    this.spanEnd = headerSpan.end;
  }

  addFrame(fn: string | null, location: FrameLocation, span: TextSpan): void {
    this.frames.push({ function: fn, file: location.file, line: location.line, column: location.column, app: false, span });
    this.spanEnd = Math.max(this.spanEnd, span.end);
    this.spanStart = Math.min(this.spanStart, span.start);
  }

  extendTo(offset: number): void {
    this.spanEnd = Math.max(this.spanEnd, offset);
  }

  build(language: TraceLanguage): TraceException {
    for (const frame of this.frames) frame.app = isApplicationFrame(language, frame.file, frame.function);
    return {
      type: this.type,
      message: this.message,
      relation: this.relation,
      innermostFirst: this.innermostFirst,
      frames: this.frames,
      span: { start: this.spanStart, end: this.spanEnd },
    };
  }
}

export interface BlockResult {
  language: TraceLanguage;
  exceptions: TraceException[];
  /** Index (exclusive) of the last logical line the block used. */
  end: number;
}

export function spanIn(line: LogicalLine, from: number, to: number): TextSpan {
  return { start: line.offsetAt(from), end: line.offsetAt(to) };
}

export function wholeLine(line: LogicalLine): TextSpan {
  const text = line.text;
  let from = 0;
  while (from < text.length && (text[from] === ' ' || text[from] === '\t')) from++;
  return spanIn(line, from, text.trimEnd().length);
}

export function totalFrames(builders: ExceptionBuilder[]): number {
  return builders.reduce((n, b) => n + b.frames.length, 0);
}
