// The cheap per-line finder behind terminal and document links: the frame-like locations in one
// line of text, whatever the trace format, in one linear pass and capped per line (VS Code caps
// links per line too) so a pathological line cannot stall a terminal.
import { stripAnsi } from './ansi';
import { LogicalLine } from './logicalLine';
import { isDigitCode, normalizeFileText } from './syntax';

export const MAX_LOCATIONS_PER_LINE = 10;
/** Only the start of a very long line is searched, as VS Code's own terminal link detection does. */
const MAX_SCANNED_LINE_LENGTH = 4096;
/** How far back a path may reach from its line number. */
const MAX_PATH_LENGTH = 1024;

export interface LineLocation {
  file: string;
  line: number;
  column: number | null;
  /** The link's range in the line: [start, end). */
  start: number;
  end: number;
}

const SOURCE_EXTENSIONS = new Set(
  (
    'js mjs cjs jsx ts tsx mts cts vue svelte coffee py pyw pyx pxd java kt kts scala groovy gradle clj cljs cljc go rb erb rake ' +
    'php phtml inc cs fs fsx vb cshtml razor c h cc cpp cxx hh hpp hxx ipp inl m mm swift rs ex exs erl hrl dart lua pl pm t ' +
    'sh bash zsh sql hs ml mli elm jsp aspx s asm zig nim cr jl r tf'
  ).split(' '),
);

type Introducer = 'colon' | 'python' | 'dotnet' | 'paren' | 'php-on-line';

export function findFrameLocations(text: string, maxLocations = MAX_LOCATIONS_PER_LINE): LineLocation[] {
  const scanned = text.length > MAX_SCANNED_LINE_LENGTH ? text.slice(0, MAX_SCANNED_LINE_LENGTH) : text;
  let line = LogicalLine.plain(scanned, 0, 0, scanned.length);
  if (scanned.indexOf('\x1b') >= 0 || scanned.indexOf('\x9b') >= 0) line = stripAnsi(line);
  const s = line.text;
  const found: LineLocation[] = [];
  // Paths never reach back before the end of the previous candidate: keeps the scan linear.
  let floor = 0;
  for (let i = 0; i < s.length && found.length < maxLocations; i++) {
    const c = s.charCodeAt(i);
    let kind: Introducer | null = null;
    if (c === 58 /* : */) {
      if (isDigitCode(s.charCodeAt(i + 1))) kind = 'colon';
      else if (s.startsWith(':line ', i) && isDigitCode(s.charCodeAt(i + 6))) kind = 'dotnet';
    } else if (c === 34 /* " */ && s.startsWith('", line ', i) && isDigitCode(s.charCodeAt(i + 8))) kind = 'python';
    else if (c === 40 /* ( */ && isDigitCode(s.charCodeAt(i + 1))) kind = 'paren';
    else if (c === 32 && s.startsWith(' on line ', i) && isDigitCode(s.charCodeAt(i + 9))) kind = 'php-on-line';
    if (!kind) continue;
    const location = readLocation(s, i, kind, floor);
    if (location) {
      found.push({ ...location, start: line.offsetAt(location.start), end: line.offsetAt(location.end) });
      i = location.end - 1;
      floor = location.end;
    } else floor = i + 1;
  }
  return found;
}

function readDigits(s: string, i: number): { value: number; end: number } | null {
  let j = i;
  while (j < s.length && j - i < 9 && isDigitCode(s.charCodeAt(j))) j++;
  if (j === i || isDigitCode(s.charCodeAt(j))) return null;
  return { value: Number(s.slice(i, j)), end: j };
}

function readLocation(s: string, at: number, kind: Introducer, floor: number): LineLocation | null {
  let pathStart: number;
  let line: { value: number; end: number } | null;
  let column: number | null = null;
  let end: number;
  const lowest = Math.max(floor, at - MAX_PATH_LENGTH);
  switch (kind) {
    case 'python': {
      const quote = s.lastIndexOf('"', at - 1);
      if (quote < lowest) return null;
      pathStart = quote + 1;
      line = readDigits(s, at + 8);
      if (!line) return null;
      end = line.end;
      break;
    }
    case 'dotnet':
    case 'php-on-line': {
      const inAt = s.lastIndexOf(' in ', at - 1);
      pathStart = inAt >= lowest ? inAt + 4 : tokenStart(s, at, lowest);
      line = readDigits(s, at + (kind === 'dotnet' ? 6 : 9));
      if (!line) return null;
      end = line.end;
      break;
    }
    case 'paren': {
      pathStart = tokenStart(s, at, lowest);
      line = readDigits(s, at + 1);
      if (!line) return null;
      end = line.end;
      if (s[end] === ',') {
        const col = readDigits(s, end + 1);
        if (col) {
          column = col.value;
          end = col.end;
        }
      }
      if (s[end] !== ')') return null;
      end++;
      break;
    }
    case 'colon': {
      pathStart = tokenStart(s, at, lowest);
      line = readDigits(s, at + 1);
      if (!line) return null;
      end = line.end;
      if (s[end] === ':' && isDigitCode(s.charCodeAt(end + 1))) {
        const col = readDigits(s, end + 1);
        if (col) {
          column = col.value;
          end = col.end;
        }
      }
      // A path with spaces inside parentheses: `at f (C:\Program Files\app\x.js:1:2)`
      if (s[end] === ')' && s[pathStart - 1] === ' ') {
        const open = s.lastIndexOf('(', pathStart - 1);
        if (open >= lowest && s.lastIndexOf(')', pathStart - 1) < open) pathStart = open + 1;
      }
      break;
    }
  }
  const rawPath = s.slice(pathStart, at);
  const file = normalizeFileText(rawPath);
  if (!isSourcePath(file, kind !== 'colon' && kind !== 'paren')) return null;
  return { file, line: line.value, column, start: pathStart, end };
}

/** Start of the path-like token that ends at `end`. */
function tokenStart(s: string, end: number, lowest: number): number {
  let i = end;
  while (i > lowest) {
    const c = s.charCodeAt(i - 1);
    // whitespace, quotes, brackets and separators end a path
    if (c <= 32 || c === 34 || c === 39 || c === 96 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125) break;
    if (c === 60 || c === 62 || c === 44 || c === 59 || c === 124 || c === 61) break;
    i--;
  }
  return i;
}

function isSourcePath(file: string, explicitFrame: boolean): boolean {
  if (file.length === 0 || file.startsWith('<')) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return false;
  if (explicitFrame) return true;
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const base = file.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 && SOURCE_EXTENSIONS.has(base.slice(dot + 1).toLowerCase());
}
