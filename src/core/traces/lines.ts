// Turns raw log text into the lines a trace parser wants to read: terminal colour codes removed,
// stacks that were escaped inside JSON (or logfmt) strings unfolded into their own lines, and log
// prefixes (timestamps, levels, [thread]) dropped. Every character keeps the offset it came from,
// so frames can point back into the original text.

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
    if (count === 0) return this;
    const text = this.text.slice(count);
    if (this.table === null) return LogicalLine.plain(text, this.base + count, this.physicalStart, this.physicalEnd);
    return LogicalLine.mapped(text, this.table.subarray(count), this.physicalStart, this.physicalEnd);
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

const ESC = 0x1b;
/** Longer lines are not cleaned or unfolded: bounds the work one hostile line can cause. */
const MAX_TRANSFORMED_LINE = 16 * 1024;
const CSI_8BIT = 0x9b;

/** The logical lines of the physical line input[start, end) (end excludes the newline). */
export function logicalLinesOf(input: string, start: number, end: number): LogicalLine[] {
  if (end > start && input.charCodeAt(end - 1) === 13) end--;
  let line = LogicalLine.plain(input.slice(start, end), start, start, end);
  // Longer lines cannot hold a frame unless they hide a stack in a string; past this they are left as they are.
  if (line.text.length > MAX_TRANSFORMED_LINE) return [line];
  if (line.text.indexOf('\x1b') >= 0 || line.text.indexOf('\x9b') >= 0) line = stripAnsi(line);
  if (line.text.indexOf('\\n') >= 0) {
    const unfolded = unfoldEscapedStrings(line, 2);
    if (unfolded) return unfolded;
  }
  return [line.dropStart(logPrefixLength(line.text))];
}

/**
 * True when the physical line input[start, end) certainly makes one logical line: without a
 * backslash there is no escaped newline to unfold. Lets a reader count a line before splitting it.
 */
export function isOneLogicalLine(input: string, start: number, end: number): boolean {
  return input.slice(start, end).indexOf('\\') < 0;
}

/** Removes CSI, OSC and two-character escape sequences, keeping offsets. */
export function stripAnsi(line: LogicalLine): LogicalLine {
  const s = line.text;
  const parts: string[] = [];
  const table = new Int32Array(s.length + 1);
  let length = 0;
  let i = 0;
  while (i < s.length) {
    // Copy the run up to the next escape in one piece.
    let next = i;
    while (next < s.length && s.charCodeAt(next) !== ESC && s.charCodeAt(next) !== CSI_8BIT) next++;
    if (next > i) {
      parts.push(s.slice(i, next));
      line.copyOffsets(table, length, i, next);
      length += next - i;
    }
    i = next < s.length ? ansiSequenceEnd(s, next) : next;
  }
  table[length] = line.offsetAt(s.length);
  return LogicalLine.mapped(parts.join(''), table.subarray(0, length + 1), line.physicalStart, line.physicalEnd);
}

function ansiSequenceEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  let j = i + 1;
  if (c === ESC) {
    if (j >= s.length) return j;
    const kind = s[j];
    if (kind === '[') j++;
    else if (kind === ']' || kind === 'P' || kind === '_' || kind === '^') {
      // OSC/DCS/APC/PM: ends at BEL or ESC \.
      j++;
      while (j < s.length) {
        const d = s.charCodeAt(j);
        if (d === 7) return j + 1;
        if (d === ESC) return s[j + 1] === '\\' ? j + 2 : j;
        j++;
      }
      return j;
    } else return j + 1;
  }
  // CSI: parameter bytes 0x30-0x3f, intermediates 0x20-0x2f, one final byte 0x40-0x7e.
  while (j < s.length) {
    const d = s.charCodeAt(j);
    if (d >= 0x20 && d <= 0x3f) j++;
    else return d >= 0x40 && d <= 0x7e ? j + 1 : j;
  }
  return j;
}

/**
 * Unfolds double-quoted strings that contain `\n` escapes (a stack inside a JSON log line) into
 * one logical line per escaped line. Returns null when no string had one.
 */
function unfoldEscapedStrings(line: LogicalLine, depth: number): LogicalLine[] | null {
  const s = line.text;
  const result: LogicalLine[] = [];
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf('"', i);
    if (open < 0) break;
    // The closing quote is the first one not escaped; jump between backslashes and quotes.
    let j = open + 1;
    let hasNewline = false;
    let quote = s.indexOf('"', j);
    for (;;) {
      if (quote >= 0 && quote < j) quote = s.indexOf('"', j);
      const backslash = s.indexOf('\\', j);
      if (backslash < 0 || (quote >= 0 && quote < backslash)) {
        j = quote < 0 ? s.length : quote;
        break;
      }
      if (s.charCodeAt(backslash + 1) === 110 /* n */) hasNewline = true;
      j = backslash + 2;
      if (j >= s.length) {
        j = s.length;
        break;
      }
    }
    const close = Math.min(j, s.length);
    if (hasNewline) {
      for (const sub of decodeStringLines(line, open + 1, close)) {
        const again = depth > 1 && sub.text.indexOf('\\n') >= 0 ? unfoldEscapedStrings(sub, depth - 1) : null;
        if (again) result.push(...again);
        else result.push(sub);
      }
    }
    i = close + 1;
  }
  return result.length > 0 ? result : null;
}

/** JSON escapes other than \\uXXXX; -1 drops the character (\\r before \\n). */
function escapedChar(kind: number): number {
  switch (kind) {
    case 110: // n
      return 10;
    case 116: // t
      return 9;
    case 114: // r
      return -1;
    case 98: // b
      return 8;
    case 102: // f
      return 12;
    default: // \" \\ \/ and anything else stand for themselves
      return kind;
  }
}

function hex4(s: string, i: number): number {
  let value = 0;
  for (let k = i; k < i + 4; k++) {
    const c = s.charCodeAt(k);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function charsToString(chars: Uint16Array, length: number): string {
  if (LITTLE_ENDIAN) return Buffer.from(chars.buffer, chars.byteOffset, length * 2).toString('utf16le');
  let text = '';
  for (let i = 0; i < length; i += 4096) text += String.fromCharCode(...chars.subarray(i, Math.min(length, i + 4096)));
  return text;
}

/** Decodes the escapes of text[from, to) and splits the result at escaped newlines. */
function decodeStringLines(line: LogicalLine, from: number, to: number): LogicalLine[] {
  const s = line.text;
  const chars = new Uint16Array(to - from);
  const table = new Int32Array(to - from + 1);
  let length = 0;
  let i = from;
  while (i < to) {
    // Copy the run up to the next backslash, then decode one escape.
    let next = s.indexOf('\\', i);
    if (next < 0 || next >= to - 1) next = to;
    if (next > i) {
      for (let k = i; k < next; k++) chars[length + k - i] = s.charCodeAt(k);
      line.copyOffsets(table, length, i, next);
      length += next - i;
      i = next;
      if (i >= to) break;
    }
    let decoded = escapedChar(s.charCodeAt(i + 1));
    let consumed = 2;
    if (decoded === 117 /* u */ && i + 6 <= to) {
      const code = hex4(s, i + 2);
      if (code >= 0) {
        decoded = code;
        consumed = 6;
      }
    }
    if (decoded >= 0) {
      chars[length] = decoded;
      table[length++] = line.offsetAt(i);
    }
    i += consumed;
  }
  table[length] = line.offsetAt(to);
  const text = charsToString(chars, length);
  const lines: LogicalLine[] = [];
  let lineStart = 0;
  for (;;) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    lines.push(LogicalLine.mapped(text.slice(lineStart, lineEnd), table.subarray(lineStart, lineEnd + 1), line.physicalStart, line.physicalEnd));
    if (newline < 0) return lines;
    lineStart = newline + 1;
  }
}

// Log prefixes: a run of tokens (timestamps, levels, [bracketed], pid, `name |`) at the start of a
// line. Only the single separator after the last token is removed, so indentation that belongs
// to the trace (Python source lines, Go's tab) survives.

const LEVELS = new Set([
  'TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'WARNING', 'ERROR', 'ERR', 'CRITICAL', 'CRIT', 'FATAL', 'SEVERE',
  'ALERT', 'EMERG', 'PANIC', 'FINE', 'FINER', 'FINEST', 'CONFIG',
]);
const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);
const MAX_PREFIX = 240;

/** Length of the log prefix at the start of `s` (0 when there is none). */
export function logPrefixLength(s: string): number {
  let pos = 0;
  let tokens = 0;
  while (tokens < 12 && pos < MAX_PREFIX) {
    let q = pos;
    if (tokens > 0) while (q < s.length && (s[q] === ' ' || s[q] === '\t')) q++;
    const end = prefixTokenEnd(s, q, tokens === 0);
    if (end < 0) break;
    tokens++;
    pos = end;
    // Separators after a token: `:`, `|` or `-` followed by a space.
    if ((s[pos] === ':' || s[pos] === '|' || s[pos] === '-') && s[pos + 1] === ' ') pos++;
    if (s[pos] === ' ' || s[pos] === '\t') pos++;
    else if (pos < s.length) break;
  }
  if (tokens === 0 || pos >= s.length) return 0;
  return pos;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}

function isWordChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || isDigit(c) || c === 95 || c === 46 || c === 45 || c === 47;
}

function isBoundary(s: string, i: number): boolean {
  return i >= s.length || s[i] === ' ' || s[i] === '\t' || s[i] === ':' || s[i] === '|' || s[i] === ']';
}

const MAX_KEYWORD_LENGTH = 8;
const MAX_BRACKETED = 120;

/** Index of the `]` closing the `[` at `open` within MAX_BRACKETED characters, or -1 (also when another `[` comes first). */
function bracketClose(s: string, open: number): number {
  const end = Math.min(s.length, open + 1 + MAX_BRACKETED);
  for (let k = open + 1; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 93 /* ] */) return k;
    if (c === 91 /* [ */) return -1;
  }
  return -1;
}

function prefixTokenEnd(s: string, i: number, first: boolean): number {
  if (i >= s.length) return -1;
  const c = s.charCodeAt(i);
  if (isDigit(c)) return timestampOrNumberEnd(s, i);
  if (s[i] === '[') {
    const close = bracketClose(s, i);
    if (close < 0) return -1;
    // A whole line in brackets is content (Go's `[signal SIGSEGV ...]`), not a prefix.
    const rest = close + 1;
    if (rest >= s.length || (s[rest] !== ' ' && s[rest] !== '\t' && s[rest] !== ':')) return -1;
    return rest;
  }
  // An upper-case word: a level, a syslog month, or (first token only) a `name |` container prefix.
  let j = i;
  while (j < s.length && j - i < 64 && isWordChar(s.charCodeAt(j))) j++;
  if (j === i) return -1;
  // Levels, months and stream names are short: a longer word is not looked up (nor copied).
  const word = j - i <= MAX_KEYWORD_LENGTH ? s.slice(i, j) : '';
  if (LEVELS.has(word) && isBoundary(s, j)) return j;
  if (MONTHS.has(word) && s[j] === ' ') {
    let k = j + 1;
    if (s[k] === ' ') k++;
    const dayEnd = digitsEnd(s, k);
    if (dayEnd > k && dayEnd - k <= 2 && s[dayEnd] === ' ') return timestampOrNumberEnd(s, dayEnd + 1) > 0 ? timestampOrNumberEnd(s, dayEnd + 1) : dayEnd;
    return -1;
  }
  if ((word === 'stdout' || word === 'stderr') && s[j] === ' ') {
    if ((s[j + 1] === 'F' || s[j + 1] === 'P') && s[j + 2] === ' ') return j + 2;
    return j;
  }
  // syslog `program[pid]:`
  if (s[j] === '[') {
    const pidEnd = digitsEnd(s, j + 1);
    if (pidEnd > j + 1 && s[pidEnd] === ']' && s[pidEnd + 1] === ':') return pidEnd + 1;
  }
  if (first) {
    let k = j;
    while (s[k] === ' ') k++;
    if (s[k] === '|' && s[k + 1] === ' ' && k > j) return k;
  }
  return -1;
}

/** Dates, times, date-times with zones, or a bare number (pid). */
function timestampOrNumberEnd(s: string, i: number): number {
  let j = digitsEnd(s, i);
  const n = j - i;
  if (n === 4 && (s[j] === '-' || s[j] === '/')) {
    // yyyy-mm-dd[T ]hh:mm:ss[.fff][Z|+hh:mm]
    const sep = s[j];
    const m = digitsEnd(s, j + 1);
    if (m - j - 1 !== 2 || s[m] !== sep) return -1;
    const d = digitsEnd(s, m + 1);
    if (d - m - 1 !== 2) return -1;
    j = d;
    if ((s[j] === 'T' || s[j] === ' ') && isDigit(s.charCodeAt(j + 1))) {
      const t = timeEnd(s, j + 1);
      if (t > 0) j = t;
    }
    return isBoundary(s, j) ? j : -1;
  }
  if (n === 2 && s[j] === ':') {
    const t = timeEnd(s, i);
    return t > 0 && isBoundary(s, t) ? t : -1;
  }
  if (n >= 1 && n <= 2 && s[j] === '-' && /^[A-Za-z]{3}-\d{4}/.test(s.slice(j + 1, j + 9))) {
    // dd-Mon-yyyy (PHP error log)
    j += 9;
    if (s[j] === ' ' && isDigit(s.charCodeAt(j + 1))) {
      const t = timeEnd(s, j + 1);
      if (t > 0) j = t;
    }
    return isBoundary(s, j) ? j : -1;
  }
  if (n > 0 && isBoundary(s, j) && s[j] !== ':') return j;
  return -1;
}

function timeEnd(s: string, i: number): number {
  const h = digitsEnd(s, i);
  if (h - i !== 2 || s[h] !== ':') return -1;
  const m = digitsEnd(s, h + 1);
  if (m - h - 1 !== 2) return -1;
  let j = m;
  if (s[j] === ':') {
    const sec = digitsEnd(s, j + 1);
    if (sec - j - 1 !== 2) return -1;
    j = sec;
  }
  if ((s[j] === '.' || s[j] === ',') && isDigit(s.charCodeAt(j + 1))) j = digitsEnd(s, j + 1);
  if (s[j] === 'Z') j++;
  else if ((s[j] === '+' || s[j] === '-') && isDigit(s.charCodeAt(j + 1))) {
    const z = digitsEnd(s, j + 1);
    j = z;
    if (s[j] === ':' && isDigit(s.charCodeAt(j + 1))) j = digitsEnd(s, j + 1);
  }
  if (s.startsWith(' UTC', j) && isBoundary(s, j + 4)) j += 4;
  return j;
}
