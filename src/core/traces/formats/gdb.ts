// gdb `bt` / `thread apply all bt`: `#0  f (a=1) at x.c:12` (frame 0 often without an address),
// `#1  0x… in g (…) from /lib/x.so`; long frames wrap onto indented lines.
import { type HashFrame, INCOMPLETE, parseHashFrame } from '../frameSyntax';
import type { LogicalLine } from '../lines';
import type { LineReader } from '../reader';
import { type BlockResult, ExceptionBuilder, spanIn, totalFrames, wholeLine } from './builder';

const MAX_WRAP_LINES = 8;
const SIGNAL = /^(?:Program|Thread \d+ "[^"]{0,64}") received signal (SIG[A-Z0-9]+), (.{0,200})$/;
const THREAD_HEADER = /^Thread \d+ \(.{0,200}\):$/;

export function isGdbThreadHeader(trimmed: string): boolean {
  return trimmed.length < 300 && THREAD_HEADER.test(trimmed);
}

/** The thread header above the first frame, or the signal gdb reported before the backtrace. */
export function gdbBlockStart(reader: LineReader, frameIndex: number): number {
  if (frameIndex > 0 && isGdbThreadHeader(reader.trimmed(frameIndex - 1))) return frameIndex - 1;
  for (let k = frameIndex - 1; k >= 0 && k >= frameIndex - 5; k--) {
    const trimmed = reader.trimmed(k);
    if (trimmed.length < 300 && SIGNAL.test(trimmed)) return k;
  }
  return frameIndex;
}

export function parseGdbBlock(reader: LineReader, start: number): BlockResult | null {
  const builders: ExceptionBuilder[] = [];
  let current: ExceptionBuilder | null = null;
  let i = start;
  const signal = SIGNAL.exec(reader.trimmed(start).slice(0, 300));
  if (signal) {
    const line = reader.at(start) as LogicalLine;
    current = new ExceptionBuilder(signal[1], signal[2].replace(/\.$/, ''), null, true, wholeLine(line));
    builders.push(current);
    i++;
    // gdb echoes the faulting line and the `(gdb) bt` prompt before the frames.
    for (let k = 0; k < 4 && reader.at(i) && !parseFrame(reader, i); k++) i++;
  }
  for (;;) {
    const line = reader.at(i);
    if (!line) break;
    const trimmed = line.text.trim();
    if (isGdbThreadHeader(trimmed)) {
      if (current && current.frames.length === 0) current.message = trimmed.slice(0, -1);
      else {
        current = new ExceptionBuilder(null, trimmed.slice(0, -1), builders.length ? 'thread' : null, true, wholeLine(line));
        builders.push(current);
      }
      i++;
      continue;
    }
    if (line.isBlank()) {
      if (builders.length > 0 && isGdbThreadHeader(reader.trimmed(i + 1))) {
        i++;
        continue;
      }
      break;
    }
    if (trimmed.startsWith('Backtrace stopped:')) {
      i++;
      continue;
    }
    const parsed = parseFrame(reader, i);
    if (!parsed) break;
    if (!current) {
      current = new ExceptionBuilder(null, '', null, true, wholeLine(line));
      builders.push(current);
    }
    current.addFrame(parsed.frame.function, parsed.frame, spanIn(parsed.line, parsed.frame.start, parsed.frame.end));
    i += parsed.used;
  }
  if (totalFrames(builders) === 0) return null;
  return { language: 'native', exceptions: builders.map((b) => b.build('native')), end: i };
}

function parseFrame(reader: LineReader, index: number): { frame: HashFrame; line: LogicalLine; used: number } | null {
  let line = reader.at(index) as LogicalLine;
  let frame = parseHashFrame(line.text);
  if (frame !== INCOMPLETE && (!frame || frame.format !== 'gdb')) return null;
  let used = 1;
  // Wrapped arguments, or ` at file:line` / ` from lib` moved to the next, indented line.
  while (used <= MAX_WRAP_LINES && frame !== null && (frame === INCOMPLETE || (frame.file === null && continuesLocation(reader.at(index + used))))) {
    const next = reader.at(index + used);
    if (!next || next.isBlank() || !/^\s/.test(next.text) || parseHashFrame(next.text) !== null) break;
    line = line.join(next.dropStart(next.text.length - next.text.trimStart().length), ' ');
    used++;
    frame = parseHashFrame(line.text);
  }
  return frame && frame !== INCOMPLETE && frame.format === 'gdb' ? { frame, line, used } : null;
}

function continuesLocation(next: LogicalLine | undefined): boolean {
  if (!next || !/^\s/.test(next.text)) return false;
  const trimmed = next.text.trimStart();
  return trimmed.startsWith('at ') || trimmed.startsWith('from ');
}
