// Python tracebacks ("most recent call last"), their chains ("During handling…", "The above
// exception…"), and the "most recent call first" forms of gdb's py-bt and faulthandler.
import { parseExceptionHeader } from '../exceptionHeader';
import {
  digitsEnd,
  type FrameLocation,
  type FrameText,
  INCOMPLETE,
  type Incomplete,
  MAX_FRAME_LINE,
  skipSpaces,
  smallNumber,
  trimmedEnd,
} from '../syntax';
import type { LogicalLine } from '../logicalLine';
import type { LineReader } from '../reader';
import type { ExceptionRelation } from '../types';
import { type BlockResult, ExceptionBuilder, spanIn, totalFrames, wholeLine } from './builder';

// One frame line: `  File "/srv/app/x.py", line 3, in f` (faulthandler: `line 3 in f`)

export interface PythonFrame extends FrameLocation, FrameText {
  function: string | null;
  indent: number;
}

export function parsePythonFrame(text: string): PythonFrame | Incomplete | null {
  const start = skipSpaces(text, 0);
  if (!text.startsWith('File "', start)) return null;
  const end = trimmedEnd(text);
  if (end - start > MAX_FRAME_LINE) return null;
  const pathStart = start + 6;
  const close = text.indexOf('", line ', pathStart);
  if (close < 0) return text.indexOf('"', pathStart) < 0 ? INCOMPLETE : null;
  const lineStart = close + 8;
  const lineEnd = digitsEnd(text, lineStart);
  const line = smallNumber(text, lineStart, lineEnd);
  if (line === null) return null;
  let fn: string | null = null;
  if (text.startsWith(', in ', lineEnd)) fn = text.slice(lineEnd + 5, end).trim();
  else if (text.startsWith(' in ', lineEnd)) fn = text.slice(lineEnd + 4, end).trim();
  else if (lineEnd !== end) return null;
  return { file: text.slice(pathStart, close), line, column: null, function: fn || null, indent: start, start, end };
}

const CONTEXT_LINE = 'During handling of the above exception, another exception occurred:';
const CAUSE_LINE = 'The above exception was the direct cause of the following exception:';
const MAX_WRAP_LINES = 3;

type SectionKind = 'last' | 'first' | 'headerless';

function sectionHeader(trimmed: string): SectionKind | null {
  if (trimmed === 'Traceback (most recent call last):') return 'last';
  if (trimmed === 'Traceback (most recent call first):' || trimmed === 'Stack (most recent call first):') return 'first';
  if ((trimmed.startsWith('Current thread 0x') || trimmed.startsWith('Thread 0x')) && trimmed.endsWith('(most recent call first):')) {
    return 'first';
  }
  return null;
}

export function isPythonStarter(trimmed: string): boolean {
  return sectionHeader(trimmed) !== null || trimmed.startsWith('Fatal Python error: ');
}

/** The header above a first `File "…"` line: `Traceback …`, a faulthandler thread and its fatal error. */
export function pythonBlockStart(reader: LineReader, index: number): number {
  let start = index;
  for (let k = index - 1; k >= 0 && k >= index - 4; k--) {
    const trimmed = reader.trimmed(k);
    if (sectionHeader(trimmed)) {
      start = k;
      break;
    }
    // py-bt prints C-level frames (`<built-in method …>`) between the header and the first File line.
    if (!trimmed.startsWith('<')) return index;
  }
  if (start === index) return index;
  for (let k = start - 1; k >= 0 && k >= start - 2; k--) {
    const trimmed = reader.trimmed(k);
    if (trimmed.startsWith('Fatal Python error: ')) return k;
    if (trimmed !== '') break;
  }
  return start;
}

function indentOf(text: string): number {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

export function parsePythonBlock(reader: LineReader, start: number): BlockResult | null {
  const builders: ExceptionBuilder[] = [];
  let i = start;
  let relation: ExceptionRelation | null = null;
  let fatalMessage: { type: string; message: string; line: LogicalLine } | null = null;

  const firstText = reader.trimmed(start);
  if (firstText.startsWith('Fatal Python error: ')) {
    // faulthandler: `Fatal Python error: Segmentation fault`, a blank line, then thread stacks.
    const line = reader.at(start) as LogicalLine;
    fatalMessage = { type: 'Fatal Python error', message: firstText.slice(20), line };
    i++;
    while (reader.at(i)?.isBlank()) i++;
  }

  for (;;) {
    const headerLine = reader.at(i);
    if (!headerLine) break;
    const trimmed = headerLine.text.trim();
    let kind = sectionHeader(trimmed);
    let builder: ExceptionBuilder;
    if (kind) {
      const fault = builders.length === 0 ? fatalMessage : null;
      const threadName = kind === 'first' && trimmed.includes('0x') ? trimmed.slice(0, trimmed.indexOf(' (most recent')) : '';
      builder = new ExceptionBuilder(
        fault ? fault.type : null,
        fault ? fault.message : threadName,
        builders.length === 0 ? null : (relation ?? 'thread'),
        kind === 'first',
        fault ? { start: wholeLine(fault.line).start, end: wholeLine(headerLine).end } : wholeLine(headerLine),
      );
      i++;
    } else if (builders.length === 0 && parsePythonFrame(headerLine.text) !== null) {
      kind = 'headerless';
      builder = new ExceptionBuilder(null, '', null, false, { start: headerLine.start, end: headerLine.start });
    } else break;
    builders.push(builder);
    const headerIndent = indentOf(headerLine.text);

    // Frames, each possibly followed by its source line and ^^^ markers (indented deeper).
    for (;;) {
      const line = reader.at(i);
      if (!line) break;
      const parsed = readFrame(reader, i);
      if (parsed) {
        builder.addFrame(parsed.frame.function, parsed.frame, spanIn(parsed.line, parsed.frame.start, parsed.frame.end));
        i += parsed.used;
        for (;;) {
          const next = reader.at(i);
          if (!next || next.isBlank()) break;
          const nextTrimmed = next.text.trim();
          if (indentOf(next.text) > parsed.frame.indent && parsePythonFrame(next.text) === null) i++;
          else if (/^\[Previous line repeated \d+ more times?\]$/.test(nextTrimmed)) i++;
          else break;
        }
        continue;
      }
      const trimmedLine = line.text.trim();
      // py-bt prints C-level frames as `<built-in method …>` and `(frame information optimized out)`.
      if (kind === 'first' && (trimmedLine.startsWith('<') || trimmedLine.startsWith('(frame information'))) {
        i++;
        continue;
      }
      break;
    }

    if (kind !== 'first') {
      const excLine = reader.at(i);
      if (excLine && !excLine.isBlank() && indentOf(excLine.text) <= headerIndent) {
        const header = parseExceptionHeader(excLine.text, false);
        if (header && header.type && /^[A-Za-z_][\w.]*$/.test(header.type)) {
          builder.type = header.type;
          builder.message = header.message;
          builder.extendTo(wholeLine(excLine).end);
          i++;
        }
      }
    }

    // What follows: another chained traceback, another thread of the dump, or the end.
    let j = i;
    let blanks = 0;
    while (blanks < 2 && reader.at(j)?.isBlank()) {
      j++;
      blanks++;
    }
    const nextTrimmed = reader.trimmed(j);
    if (kind !== 'first' && (nextTrimmed === CONTEXT_LINE || nextTrimmed === CAUSE_LINE)) {
      relation = nextTrimmed === CONTEXT_LINE ? 'during-handling-of-previous' : 'caused-by-previous';
      j++;
      while (reader.at(j)?.isBlank()) j++;
      if (sectionHeader(reader.trimmed(j)) !== 'last') break;
      i = j;
      continue;
    }
    if (kind === 'first' && sectionHeader(nextTrimmed) === 'first') {
      relation = 'thread';
      i = j;
      continue;
    }
    break;
  }
  if (totalFrames(builders) === 0) return null;
  return { language: 'python', exceptions: builders.map((b) => b.build('python')), end: i };
}

function readFrame(reader: LineReader, index: number): { frame: PythonFrame; line: LogicalLine; used: number } | null {
  const line = reader.at(index) as LogicalLine;
  const parsed = parsePythonFrame(line.text);
  if (parsed !== INCOMPLETE) return parsed ? { frame: parsed, line, used: 1 } : null;
  let joined = line;
  for (let k = 1; k <= MAX_WRAP_LINES; k++) {
    const next = reader.at(index + k);
    if (!next || next.isBlank()) return null;
    joined = joined.join(next, '');
    const attempt = parsePythonFrame(joined.text);
    if (attempt !== INCOMPLETE) return attempt ? { frame: attempt, line: joined, used: k + 1 } : null;
  }
  return null;
}
