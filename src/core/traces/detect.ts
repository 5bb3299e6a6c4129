// Finds stack traces in text of any size. One regular expression of plain literals (and one
// indexOf) finds the few lines that could belong to a trace; only those (and a few lines above
// them, for headers) are cleaned and parsed, so ordinary log lines cost a single pass of each.
import { traceFingerprint } from './fingerprint';
import { atBlockStart, isStrongAtHeader, parseAtBlock } from './formats/at';
import { parseAtFrame } from './formats/atFrame';
import type { BlockResult } from './formats/builder';
import { gdbBlockStart, isGdbThreadHeader, parseGdbBlock, parseGdbFrame } from './formats/gdb';
import { goBlockStart, isGoStarter, parseGoBlock, parseGoFileLine } from './formats/go';
import { parsePhpBlock, parsePhpFrame, parsePhpHeader, phpBlockStart } from './formats/php';
import { isPythonStarter, parsePythonBlock, parsePythonFrame, pythonBlockStart } from './formats/python';
import { parseRubyBlock, parseRubyFrame } from './formats/ruby';
import { isDigitCode, skipSpaces } from './syntax';
import { logicalLinesOf } from './lines';
import type { LogicalLine } from './logicalLine';
import { LineReader } from './reader';
import type { StackTrace } from './types';

/**
 * Text that every trace has on its frame lines: an indented `at `, Python's `File "`, a `.go:N`
 * location, Ruby's `:in '`, or `#N` at the start of a line (also escaped inside JSON strings).
 * Headers above the first frame are found by walking back from it. A handful of alternatives
 * lets V8 scan at close to memory speed; a long list of header literals made it five times slower.
 * `#N` at the start of a raw line is searched for separately (see TriggerSearch).
 */
const TRIGGER = /(?:\t|  |\n|\\[nt])at |File [\x1b"]|\.go:\d|:in [`']|\\n#\d/g;

/**
 * Finds trigger positions: the first match of TRIGGER, or of a newline followed by `#N`, at or
 * after an offset. The newline-`#N` alternative is three characters long and starts with the most
 * common character in a log; inside TRIGGER it halved the regex's speed, so it is found with indexOf.
 */
class TriggerSearch {
  // The one TRIGGER object, not a copy per search: V8 first interprets a regular expression and
  // compiles it once it has run, and that state lives on the object (scans never nest).
  private readonly regex = TRIGGER;
  // Each search remembers its last answer: the first hit at or after `from` is still the first
  // for any later offset up to the hit itself.
  private regexFrom = Infinity;
  private regexHit = -1;
  private hashFrom = Infinity;
  private hashHit = -1;

  constructor(private readonly input: string) {}

  /** Offset of the first trigger at or after `from`, or -1. */
  next(from: number): number {
    if (from < this.regexFrom || from > this.regexHit) {
      this.regex.lastIndex = from;
      const match = this.regex.exec(this.input);
      this.regexFrom = from;
      this.regexHit = match ? match.index : Infinity;
    }
    if (from < this.hashFrom || from > this.hashHit) {
      this.hashFrom = from;
      this.hashHit = this.newlineHashDigit(from);
    }
    const hit = Math.min(this.regexHit, this.hashHit);
    return hit === Infinity ? -1 : hit;
  }

  /**
   * Searches for `#` (far rarer than the newline before it) and checks its neighbours: `#N` at the
   * start of a line (or of the input), or after PHP's `Stack trace: ` on a one-line fatal error.
   */
  private newlineHashDigit(from: number): number {
    const input = this.input;
    for (let hash = input.indexOf('#', from); hash >= 0; hash = input.indexOf('#', hash + 1)) {
      if (!isDigitCode(input.charCodeAt(hash + 1))) continue;
      const before = input.charCodeAt(hash - 1);
      if (hash === 0 || before === 10 || (before === 32 && input.startsWith(STACK_TRACE_LABEL, hash - STACK_TRACE_LABEL.length)))
        return hash;
    }
    return Infinity;
  }
}

const STACK_TRACE_LABEL = 'Stack trace: ';

/** Lines above a first frame that may hold its header (exception type, message, goroutine, thread). */
const LOOKBACK_LINES = 8;
/** A block still open at the end of a chunk waits for more text, up to this many characters. */
const MAX_PENDING_CHARS = 8 * 1024 * 1024;
/** An open block smaller than this is parsed again with each new piece of text (a live log's latest trace). */
const SMALL_OPEN_BLOCK = 64 * 1024;
/** After this many lines of one physical line failed to start a trace, the rest of it is skipped. */
const MAX_FAILED_STARTS_PER_LINE = 8;

type Starter = 'python' | 'at-frame' | 'at-header' | 'go' | 'go-file' | 'ruby' | 'php' | 'php-stack' | 'gdb';

function classifyStarter(text: string): Starter | null {
  const first = text.charCodeAt(skipSpaces(text, 0));
  if (first === 97 /* a */ && parseAtFrame(text) !== null) return 'at-frame';
  if (first === 70 /* F */ && parsePythonFrame(text) !== null) return 'python';
  if (first === 35 /* # */) {
    if (parsePhpFrame(text)) return 'php';
    if (parseGdbFrame(text) !== null) return 'gdb';
  }
  const trimmed = text.trim();
  if (isPythonStarter(trimmed)) return 'python';
  if (isGoStarter(trimmed)) return 'go';
  if (parseGoFileLine(text)) return 'go-file';
  if (parseRubyFrame(text)) return 'ruby';
  if (trimmed === 'Stack trace:') return 'php-stack';
  if (parsePhpHeader(trimmed)) return 'php';
  if (isGdbThreadHeader(trimmed)) return 'gdb';
  if (isStrongAtHeader(trimmed)) return 'at-header';
  return null;
}

function blockStart(starter: Starter, reader: LineReader, index: number): number {
  switch (starter) {
    case 'at-frame':
      return atBlockStart(reader, index);
    case 'go-file':
      return goBlockStart(reader, index);
    case 'python':
      return pythonBlockStart(reader, index);
    case 'php':
    case 'php-stack':
      return phpBlockStart(reader, index);
    case 'gdb':
      return gdbBlockStart(reader, index);
    default:
      return index;
  }
}

function parseBlock(starter: Starter, reader: LineReader, start: number): BlockResult | null {
  switch (starter) {
    case 'python':
      return parsePythonBlock(reader, start);
    case 'at-frame':
    case 'at-header':
      return parseAtBlock(reader, start);
    case 'go':
    case 'go-file':
      return parseGoBlock(reader, start);
    case 'ruby':
      return parseRubyBlock(reader, start);
    case 'php':
    case 'php-stack':
      return parsePhpBlock(reader, start);
    case 'gdb':
      return parseGdbBlock(reader, start);
  }
}

interface ScanState {
  /** Where the trigger search resumes. */
  searchFrom: number;
  /** End of the last trace found: later traces (and their headers) start at or after it. */
  floor: number;
}

/** Index just past the `count`-th newline of `text`, or -1 when it has fewer. */
function afterNewlines(text: string, count: number): number {
  let newline = -1;
  for (let n = 0; n < count; n++) {
    newline = text.indexOf('\n', newline + 1);
    if (newline < 0) return -1;
  }
  return newline + 1;
}

function physicalLineStart(input: string, offset: number): number {
  return offset <= 0 ? 0 : input.lastIndexOf('\n', offset - 1) + 1;
}

/** Start of the physical line LOOKBACK_LINES above `lineStart`, not above the floor's line. */
function lookbackStart(input: string, lineStart: number, floor: number): number {
  const floorLine = physicalLineStart(input, floor);
  let start = lineStart;
  for (let n = 0; n < LOOKBACK_LINES && start > floorLine; n++) start = physicalLineStart(input, start - 1);
  return Math.max(start, floorLine);
}

/**
 * Scans input[state.searchFrom, limit) and emits the traces found. Returns -1, or (when not
 * final) the start of a block that reaches `limit` and may continue in text not seen yet.
 */
function scan(input: string, state: ScanState, limit: number, final: boolean, emit: (trace: StackTrace) => void): number {
  const triggers = new TriggerSearch(input);
  let searchFrom = state.searchFrom;
  let cachedStart = -1;
  let cachedEnd = -1;
  let cachedLines: LogicalLine[] = [];
  let cachedIndex = 0;
  let failedStarts = 0;
  for (;;) {
    const trigger = triggers.next(searchFrom);
    if (trigger < 0) break;
    // A trigger may begin with the (raw or escaped) newline before the frame's line.
    let pos = trigger;
    if (input.charCodeAt(pos) === 10) pos++;
    else if (input.charCodeAt(pos) === 92 && input.charCodeAt(pos + 1) === 110) pos += 2;
    if (pos >= limit) break;
    if (pos < cachedStart || pos > cachedEnd) {
      cachedStart = physicalLineStart(input, pos);
      cachedEnd = input.indexOf('\n', pos);
      if (cachedEnd < 0 || cachedEnd > limit) cachedEnd = limit;
      cachedLines = logicalLinesOf(input, cachedStart, cachedEnd);
      cachedIndex = 0;
      failedStarts = 0;
    }
    while (cachedIndex < cachedLines.length && (cachedLines[cachedIndex].end < pos || cachedLines[cachedIndex].start < state.floor)) {
      cachedIndex++;
    }
    const line = cachedLines[cachedIndex];
    if (!line) {
      searchFrom = cachedEnd + 1;
      continue;
    }
    const afterLine = line.end >= cachedEnd ? cachedEnd + 1 : Math.max(pos + 1, line.end);
    const starter = classifyStarter(line.text);
    if (!starter) {
      searchFrom = afterLine;
      continue;
    }
    const reader = new LineReader(input, lookbackStart(input, cachedStart, state.floor), state.floor, limit, {
      start: cachedStart,
      lines: cachedLines,
    });
    const index = reader.indexOfStart(line.start);
    const start = index < 0 ? -1 : blockStart(starter, reader, index);
    const block = start < 0 ? null : parseBlock(starter, reader, start);
    // The parser wanted lines not received yet: decide when they are here.
    if (!final && reader.hitLimit) return start < 0 ? cachedStart : (reader.at(start) as LogicalLine).physicalStart;
    if (!block) {
      searchFrom = ++failedStarts >= MAX_FAILED_STARTS_PER_LINE ? cachedEnd + 1 : afterLine;
      continue;
    }
    emit(toTrace(block));
    state.floor = (reader.at(block.end - 1) as LogicalLine).end;
    searchFrom = state.floor;
  }
  return -1;
}

function toTrace(block: BlockResult): StackTrace {
  let start = Infinity;
  let end = -Infinity;
  for (const exception of block.exceptions) {
    start = Math.min(start, exception.span.start);
    end = Math.max(end, exception.span.end);
  }
  return {
    language: block.language,
    exceptions: block.exceptions,
    fingerprint: traceFingerprint(block.language, block.exceptions),
    span: { start, end },
  };
}

function shiftTrace(trace: StackTrace, delta: number): StackTrace {
  if (delta === 0) return trace;
  const shift = (span: { start: number; end: number }) => {
    span.start += delta;
    span.end += delta;
  };
  shift(trace.span);
  for (const exception of trace.exceptions) {
    shift(exception.span);
    for (const frame of exception.frames) shift(frame.span);
  }
  return trace;
}

/**
 * Finds traces in text that arrives in pieces (a log stream, stdin). Spans are offsets from the
 * start of the whole stream. Memory stays bounded: only the unfinished tail is kept. Work stays
 * linear in the input: an unfinished line is held in pieces until its newline arrives, and a block
 * still open at the end of the text is parsed again only once enough new text has come (see
 * docs/architecture.md, "Traces").
 */
export class TraceScanner {
  /** Complete lines not scanned yet, and the lines kept above them for headers. */
  private buffer = '';
  /** Stream offset of buffer[0]. */
  private base = 0;
  private readonly state: ScanState = { searchFrom: 0, floor: 0 };
  /** The line still without its newline, in the pieces it arrived in. */
  private partial: string[] = [];
  private partialLength = 0;
  /** Stream offset the buffer must reach before an open block is parsed again. */
  private retryAt = 0;

  push(chunk: string): StackTrace[] {
    const newline = chunk.lastIndexOf('\n');
    if (newline < 0) {
      this.partial.push(chunk);
      this.partialLength += chunk.length;
      return this.dropOverlongLine();
    }
    // The held start of a line joins the buffer's end, so only the seam is ever copied (see append).
    if (this.partial.length > 0) this.buffer += this.partial.join('');
    this.partial = newline + 1 < chunk.length ? [chunk.slice(newline + 1)] : [];
    this.partialLength = chunk.length - newline - 1;
    return this.append(chunk.slice(0, newline + 1));
  }

  private append(chunk: string): StackTrace[] {
    if (this.buffer.length === 0) {
      this.buffer = chunk;
      return this.run(false);
    }
    // Appending the whole chunk to the unfinished tail would copy it (V8 flattens a joined string
    // before searching it). Only the chunk's first lines are joined to the tail; once the text
    // still needed lies inside the chunk, the chunk itself becomes the buffer.
    const seamEnd = afterNewlines(chunk, LOOKBACK_LINES + 1);
    if (seamEnd < 0 || seamEnd === chunk.length) {
      this.buffer += chunk;
      return this.run(false);
    }
    const chunkBase = this.base + this.buffer.length;
    this.buffer += chunk.slice(0, seamEnd);
    const traces = this.run(false);
    if (this.base >= chunkBase) {
      const keptFrom = this.base - chunkBase;
      this.buffer = chunk;
      this.base = chunkBase;
      this.state.searchFrom += keptFrom;
      this.state.floor += keptFrom;
    } else {
      this.buffer += chunk.slice(seamEnd);
    }
    for (const trace of this.run(false)) traces.push(trace);
    return traces;
  }

  /**
   * A line with no end in sight (one huge line, binary input) would grow without bound: past the
   * cap, the text before it is scanned to its end and the line so far dropped.
   */
  private dropOverlongLine(): StackTrace[] {
    if (this.partialLength <= MAX_PENDING_CHARS) return [];
    const dropped = this.partialLength;
    this.partial = [];
    this.partialLength = 0;
    const traces = this.end();
    this.base += dropped;
    return traces;
  }

  /** The traces left in the tail once the stream has ended. */
  end(): StackTrace[] {
    if (this.partial.length > 0) {
      this.buffer += this.partial.join('');
      this.partial = [];
      this.partialLength = 0;
    }
    const traces = this.run(true);
    this.base += this.buffer.length;
    this.buffer = '';
    this.state.searchFrom = 0;
    this.state.floor = 0;
    this.retryAt = 0;
    return traces;
  }

  private run(final: boolean): StackTrace[] {
    const traces: StackTrace[] = [];
    const limit = this.buffer.length;
    if (limit <= this.state.searchFrom || (!final && this.base + limit < this.retryAt)) return traces;
    const emit = (trace: StackTrace) => traces.push(shiftTrace(trace, this.base));
    let pending = scan(this.buffer, this.state, limit, final, emit);
    if (pending >= 0 && limit - pending > MAX_PENDING_CHARS) {
      this.state.searchFrom = Math.max(0, pending - 1);
      pending = scan(this.buffer, this.state, limit, true, emit);
    }
    // An open block is parsed from its start again: wait for as much new text as it holds,
    // so a trace of 300,000 frames arriving in 64 KB pieces is not parsed once per piece.
    const open = pending >= 0 ? limit - pending : 0;
    this.retryAt = open > SMALL_OPEN_BLOCK ? this.base + limit + open : 0;
    // Resume one character early: a trigger may begin with the newline that ends the last line.
    this.state.searchFrom = Math.max(0, (pending >= 0 ? pending : limit) - 1);
    if (!final) this.dropConsumedText();
    return traces;
  }

  private dropConsumedText(): void {
    const keepFrom = lookbackStart(this.buffer, this.state.searchFrom, this.state.floor);
    if (keepFrom === 0) return;
    this.buffer = this.buffer.slice(keepFrom);
    this.base += keepFrom;
    this.state.searchFrom -= keepFrom;
    this.state.floor = Math.max(0, this.state.floor - keepFrom);
  }
}

/** Every stack trace in `text`, in text order. */
export function findStackTraces(text: string): StackTrace[] {
  const scanner = new TraceScanner();
  return [...scanner.push(text), ...scanner.end()];
}
