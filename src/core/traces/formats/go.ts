// Go panics and goroutine dumps: `panic: …`, `goroutine N [state]:`, then pairs of a function
// line and a `\tfile:line +0x…` line; `created by …` pairs are frames too.
import { type GoFunctionLine, parseGoFileLine, parseGoFunctionLine } from '../frameSyntax';
import type { LineReader } from '../reader';
import { type BlockResult, ExceptionBuilder, spanIn, totalFrames, wholeLine } from './builder';

const GOROUTINE_HEADER = /^goroutine \d+ (?:[^[]{0,200} )?\[[^\]]{1,200}\]:$/;

export function isGoStarter(trimmed: string): boolean {
  return trimmed.startsWith('panic: ') || trimmed.startsWith('fatal error: ') || isGoroutineHeader(trimmed);
}

function isGoroutineHeader(trimmed: string): boolean {
  return trimmed.startsWith('goroutine ') && trimmed.length < 500 && GOROUTINE_HEADER.test(trimmed);
}

/**
 * From a `\tfile.go:N` line back to the start of its goroutine: the function line above it, the
 * `goroutine N [state]:` header, and the `panic:` / `[signal …]` lines before a blank line.
 */
export function goBlockStart(reader: LineReader, fileLineIndex: number): number {
  let start = fileLineIndex;
  const fnLine = reader.at(start - 1);
  if (start > 0 && fnLine && parseGoFunctionLine(fnLine.text)) start--;
  if (start > 0 && isGoroutineHeader(reader.trimmed(start - 1))) start--;
  else return start;
  let k = start - 1;
  if (k >= 0 && reader.at(k)?.isBlank()) k--;
  let panicStart = -1;
  for (let n = 0; k >= 0 && n < 6; k--, n++) {
    const trimmed = reader.trimmed(k);
    if (trimmed.startsWith('panic: ') || trimmed.startsWith('fatal error: ')) panicStart = k;
    else if (!trimmed.startsWith('[signal ')) break;
  }
  return panicStart >= 0 ? panicStart : start;
}

export function parseGoBlock(reader: LineReader, start: number): BlockResult | null {
  const builders: ExceptionBuilder[] = [];
  let current: ExceptionBuilder | null = null;
  let i = start;
  for (;;) {
    const line = reader.at(i);
    if (!line) break;
    const trimmed = line.text.trim();
    if (line.isBlank()) {
      // Blank lines separate the panic from its goroutine and goroutines from each other.
      const next = reader.trimmed(i + 1);
      if (builders.length > 0 && (isGoroutineHeader(next) || next === 'runtime stack:')) {
        i++;
        continue;
      }
      break;
    }
    const panic = trimmed.startsWith('panic: ') ? 'panic' : trimmed.startsWith('fatal error: ') ? 'fatal error' : null;
    if (panic) {
      if (current && current.frames.length === 0) {
        current.message += '\n' + trimmed;
        current.extendTo(wholeLine(line).end);
      } else {
        current = new ExceptionBuilder(panic, trimmed.slice(panic.length + 2), builders.length ? 'goroutine' : null, true, wholeLine(line));
        builders.push(current);
      }
      i++;
      continue;
    }
    if (current && current.frames.length === 0 && trimmed.startsWith('[signal ')) {
      current.message += '\n' + trimmed;
      i++;
      continue;
    }
    if (isGoroutineHeader(trimmed) || trimmed === 'runtime stack:') {
      const name = trimmed.slice(0, -1);
      if (current && current.frames.length === 0 && current.type !== null) {
        current.extendTo(wholeLine(line).end);
      } else {
        current = new ExceptionBuilder(null, name, builders.length ? (trimmed === 'runtime stack:' ? 'thread' : 'goroutine') : null, true, wholeLine(line));
        builders.push(current);
      }
      i++;
      continue;
    }
    if (trimmed === '...additional frames elided...') {
      i++;
      continue;
    }
    const fn: GoFunctionLine | null = parseGoFunctionLine(line.text);
    const fileLineIndex = fn ? i + 1 : i;
    const fileLine = reader.at(fileLineIndex);
    const file = fileLine ? parseGoFileLine(fileLine.text) : null;
    if (!file || !fileLine) break;
    if (!current) {
      current = new ExceptionBuilder(null, '', null, true, wholeLine(line));
      builders.push(current);
    }
    const spanStart = fn ? spanIn(line, fn.start, fn.start).start : spanIn(fileLine, file.start, file.start).start;
    current.addFrame(fn ? fn.function : null, file, { start: spanStart, end: spanIn(fileLine, file.end, file.end).end });
    i = fileLineIndex + 1;
  }
  if (totalFrames(builders) === 0) return null;
  return { language: 'go', exceptions: builders.map((b) => b.build('go')), end: i };
}
