// gdb `bt` / `thread apply all bt`: `#0  f (a=1) at x.c:12` (frame 0 often without an address),
// `#1  0x… in g (…) from /lib/x.so`; long frames wrap onto indented lines.
import { type FrameLocation, type FrameText, INCOMPLETE, type Incomplete, matchOpenParen, splitLocation } from '../syntax';
import { readHashPrefix } from './hashFrame';
import { parsePhpFrame } from './php';
import type { LogicalLine } from '../logicalLine';
import type { LineReader } from '../reader';
import { type BlockResult, ExceptionBuilder, spanIn, totalFrames, wholeLine } from './builder';

// One frame line: `#1  0x00007f… in f (a=1) at x.c:12`, `#0  f () from /lib/libc.so.6`; INCOMPLETE
// when its argument list wraps onto the next line.

export interface GdbFrame extends FrameLocation, FrameText {
  /** null when gdb prints none (`#3  0x… in  () at /usr/lib/libc.so.6`). */
  function: string | null;
  index: number;
}

export function parseGdbFrame(text: string): GdbFrame | Incomplete | null {
  const prefix = readHashPrefix(text);
  // PHP frames start the same way and would pass for a function named `/x.php(12): f`.
  if (!prefix || parsePhpFrame(text)) return null;
  let head = text.slice(prefix.body, prefix.end);
  let hasAddress = false;
  if (head.startsWith('0x')) {
    const inAt = head.indexOf(' in ');
    if (inAt < 0 || !/^0x[0-9a-fA-F]+$/.test(head.slice(0, inAt))) return null;
    hasAddress = true;
    head = head.slice(inAt + 4);
  }
  let file: string | null = null;
  let line: number | null = null;
  const atAt = head.lastIndexOf(' at ');
  const fromAt = head.lastIndexOf(' from ');
  if (atAt > 0 && atAt > fromAt) {
    const where = head.slice(atAt + 4);
    const loc = splitLocation(where);
    if (loc) {
      file = loc.file;
      line = loc.line;
      head = head.slice(0, atAt);
    } else if (where.length > 0 && where.indexOf(' ') < 0 && where.indexOf('(') < 0) {
      // Without debug information, newer gdb prints the library with `at`: `raise () at /usr/lib/libc.so.6`
      file = where;
      head = head.slice(0, atAt);
    }
  } else if (fromAt > 0) {
    file = head.slice(fromAt + 6);
    head = head.slice(0, fromAt);
  }
  head = head.trimEnd();
  if (head.endsWith(')')) {
    const open = matchOpenParen(head, 0, head.length - 1);
    if (open < 0) return null;
    const fn = head.slice(0, open).trim();
    if (!fn && !hasAddress) return null;
    return { function: fn || null, file, line, column: null, index: prefix.index, start: prefix.start, end: prefix.end };
  }
  // gdb wraps long argument lists onto indented lines: `#1  0x… in f (a=1,`
  if (head.indexOf('(') >= 0 && file === null && (hasAddress || head.indexOf(' (') > 0)) return INCOMPLETE;
  return null;
}

const MAX_WRAP_LINES = 8;
const SIGNAL = /^(?:Program|Thread \d+ "[^"]{0,64}") (?:received|terminated with) signal (SIG[A-Z0-9]+), (.{0,200})$/;
/** `bt full` prints a frame's locals under it: `        buf = 0x55b0…`, `No locals.` */
const LOCAL = /^[A-Za-z_$][\w$.]{0,200}(?:\[\d+\])? = |^No locals\.$/;
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
    if (!parsed) {
      if (current && current.frames.length > 0 && /^\s/.test(line.text) && LOCAL.test(trimmed)) {
        i++;
        continue;
      }
      break;
    }
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

function parseFrame(reader: LineReader, index: number): { frame: GdbFrame; line: LogicalLine; used: number } | null {
  let line = reader.at(index) as LogicalLine;
  let frame = parseGdbFrame(line.text);
  if (frame === null) return null;
  let used = 1;
  // Wrapped arguments, or ` at file:line` / ` from lib` moved to the next, indented line.
  while (
    used <= MAX_WRAP_LINES &&
    frame !== null &&
    (frame === INCOMPLETE || (frame.file === null && continuesLocation(reader.at(index + used))))
  ) {
    const next = reader.at(index + used);
    if (!next || next.isBlank() || !/^\s/.test(next.text) || readHashPrefix(next.text) !== null) break;
    line = line.join(next.dropStart(next.text.length - next.text.trimStart().length), ' ');
    used++;
    frame = parseGdbFrame(line.text);
  }
  return frame && frame !== INCOMPLETE ? { frame, line, used } : null;
}

function continuesLocation(next: LogicalLine | undefined): boolean {
  if (!next || !/^\s/.test(next.text)) return false;
  const trimmed = next.text.trimStart();
  return trimmed.startsWith('at ') || trimmed.startsWith('from ');
}
