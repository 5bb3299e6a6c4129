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

  isBlank(): boolean {
    for (let i = 0; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c !== 32 && c !== 9) return false;
    }
    return true;
  }
}

const ESC = 0x1b;
const CSI_8BIT = 0x9b;

/** The logical lines of the physical line input[start, end) (end excludes the newline). */
export function logicalLinesOf(input: string, start: number, end: number): LogicalLine[] {
  if (end > start && input.charCodeAt(end - 1) === 13) end--;
  let line = LogicalLine.plain(input.slice(start, end), start, start, end);
  if (line.text.indexOf('\x1b') >= 0 || line.text.indexOf('\x9b') >= 0) line = stripAnsi(line);
  if (line.text.indexOf('\\n') >= 0) {
    const unfolded = unfoldEscapedStrings(line, 2);
    if (unfolded) return unfolded;
  }
  return [line.dropStart(logPrefixLength(line.text))];
}

/** Removes CSI, OSC and two-character escape sequences, keeping offsets. */
export function stripAnsi(line: LogicalLine): LogicalLine {
  const s = line.text;
  const out: string[] = [];
  const table: number[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === ESC || c === CSI_8BIT) {
      i = ansiSequenceEnd(s, i);
      continue;
    }
    out.push(s[i]);
    table.push(line.offsetAt(i));
    i++;
  }
  table.push(line.offsetAt(s.length));
  return LogicalLine.mapped(out.join(''), Int32Array.from(table), line.physicalStart, line.physicalEnd);
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
    let j = open + 1;
    let hasNewline = false;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 92 /* \ */) {
        if (s.charCodeAt(j + 1) === 110 /* n */) hasNewline = true;
        j += 2;
      } else if (c === 34 /* " */) break;
      else j++;
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

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };

function decodeStringLines(line: LogicalLine, from: number, to: number): LogicalLine[] {
  const s = line.text;
  const lines: LogicalLine[] = [];
  let chars: string[] = [];
  let table: number[] = [];
  const flush = (endOffset: number) => {
    table.push(endOffset);
    lines.push(LogicalLine.mapped(chars.join(''), Int32Array.from(table), line.physicalStart, line.physicalEnd));
    chars = [];
    table = [];
  };
  let i = from;
  while (i < to) {
    const at = line.offsetAt(i);
    if (s.charCodeAt(i) !== 92 || i + 1 >= to) {
      chars.push(s[i]);
      table.push(at);
      i++;
      continue;
    }
    const kind = s[i + 1];
    if (kind === 'u' && i + 6 <= to && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
      chars.push(String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16)));
      table.push(at);
      i += 6;
      continue;
    }
    const decoded = SIMPLE_ESCAPES[kind] ?? kind;
    i += 2;
    if (decoded === '\n') flush(at);
    else if (decoded !== '\r') {
      chars.push(decoded);
      table.push(at);
    }
  }
  flush(line.offsetAt(to));
  return lines;
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

function prefixTokenEnd(s: string, i: number, first: boolean): number {
  if (i >= s.length) return -1;
  const c = s.charCodeAt(i);
  if (isDigit(c)) return timestampOrNumberEnd(s, i);
  if (s[i] === '[') {
    const close = s.slice(i + 1, i + 121).indexOf(']') + i + 1;
    if (close === i) return -1;
    const inner = s.slice(i + 1, close);
    if (inner.indexOf('[') >= 0) return -1;
    // A whole line in brackets is content (Go's `[signal SIGSEGV ...]`), not a prefix.
    const rest = close + 1;
    if (rest >= s.length || (s[rest] !== ' ' && s[rest] !== '\t' && s[rest] !== ':')) return -1;
    return rest;
  }
  // An upper-case word: a level, a syslog month, or (first token only) a `name |` container prefix.
  let j = i;
  while (j < s.length && j - i < 64 && isWordChar(s.charCodeAt(j))) j++;
  if (j === i) return -1;
  const word = s.slice(i, j);
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
