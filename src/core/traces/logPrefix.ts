// Log prefixes: a run of tokens (timestamps, levels, [bracketed], pid, `name |`) at the start of a
// line. Only the single separator after the last token is removed, so indentation that belongs
// to the trace (Python source lines, Go's tab) survives.
import { digitsEnd, isDigitCode } from './syntax';

const LEVELS = new Set([
  'TRACE',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARN',
  'WARNING',
  'ERROR',
  'ERR',
  'CRITICAL',
  'CRIT',
  'FATAL',
  'SEVERE',
  'ALERT',
  'EMERG',
  'PANIC',
  'FINE',
  'FINER',
  'FINEST',
  'CONFIG',
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

function isWordChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || isDigitCode(c) || c === 95 || c === 46 || c === 45 || c === 47;
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
  if (first && c === 35 /* # */) return buildStepEnd(s, i);
  if (isDigitCode(c)) return timestampOrNumberEnd(s, i);
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
    if (dayEnd > k && dayEnd - k <= 2 && s[dayEnd] === ' ')
      return timestampOrNumberEnd(s, dayEnd + 1) > 0 ? timestampOrNumberEnd(s, dayEnd + 1) : dayEnd;
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
    if ((s[j] === 'T' || s[j] === ' ') && isDigitCode(s.charCodeAt(j + 1))) {
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
    if (s[j] === ' ' && isDigitCode(s.charCodeAt(j + 1))) {
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
  if ((s[j] === '.' || s[j] === ',') && isDigitCode(s.charCodeAt(j + 1))) j = digitsEnd(s, j + 1);
  if (s[j] === 'Z') j++;
  else if ((s[j] === '+' || s[j] === '-') && isDigitCode(s.charCodeAt(j + 1))) {
    const z = digitsEnd(s, j + 1);
    j = z;
    if (s[j] === ':' && isDigitCode(s.charCodeAt(j + 1))) j = digitsEnd(s, j + 1);
  }
  if (s.startsWith(' UTC', j) && isBoundary(s, j + 4)) j += 4;
  return j;
}

/** `docker build` (BuildKit plain progress): `#14 76.06 ` — the step, then its seconds. */
function buildStepEnd(s: string, i: number): number {
  const step = digitsEnd(s, i + 1);
  if (step === i + 1 || s[step] !== ' ') return -1;
  const seconds = digitsEnd(s, step + 1);
  if (seconds === step + 1 || s[seconds] !== '.') return -1;
  const fraction = digitsEnd(s, seconds + 1);
  return fraction > seconds + 1 && isBoundary(s, fraction) ? fraction : -1;
}
