// The scanning pieces every format's line parser (src/core/traces/formats) is built from. Parsers
// scan by hand (no unanchored or nested regex quantifiers), so a hostile 100 KB line costs one
// linear pass (docs/architecture.md, "Traces").

/** Longer lines are never frames; bounds the work a pathological line can cause. */
export const MAX_FRAME_LINE = 8192;

export interface FrameLocation {
  file: string | null;
  line: number | null;
  column: number | null;
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function skipSpaces(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

/** Index one past the last non-space character before `end`. */
export function trimmedEnd(s: string, end = s.length): number {
  while (end > 0 && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return end;
}

export function digitsStart(s: string, end: number, floor = 0): number {
  let d = end;
  while (d > floor && isDigitCode(s.charCodeAt(d - 1))) d--;
  return d;
}

export function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
  return i;
}

export function smallNumber(s: string, from: number, to: number): number | null {
  if (to <= from || to - from > 9) return null;
  return Number(s.slice(from, to));
}

/** `file:///srv/x.mjs` → `/srv/x.mjs`; `file:///C:/x.js` → `C:/x.js`. Other text is kept. */
export function normalizeFileText(file: string): string {
  if (!file.startsWith('file://')) return file;
  let path = file.slice(7);
  if (/^\/[A-Za-z]:[/\\]/.test(path)) path = path.slice(1);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The last part of a path with `/` or `\` separators (all of it when it has neither). */
export function baseName(file: string): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return slash >= 0 ? file.slice(slash + 1) : file;
}

/** `path:line:column` or `path:line`, read from the end so Windows drive letters survive. */
export function splitLocation(loc: string): { file: string; line: number; column: number | null } | null {
  const end = loc.length;
  const d1 = digitsStart(loc, end);
  if (d1 === end || d1 === 0 || loc[d1 - 1] !== ':') return null;
  const last = smallNumber(loc, d1, end);
  if (last === null) return null;
  let fileEnd = d1 - 1;
  let line = last;
  let column: number | null = null;
  const d2 = digitsStart(loc, fileEnd);
  if (d2 < fileEnd && d2 > 0 && loc[d2 - 1] === ':') {
    const first = smallNumber(loc, d2, fileEnd);
    if (first !== null) {
      line = first;
      column = last;
      fileEnd = d2 - 1;
    }
  }
  if (fileEnd === 0) return null;
  return { file: normalizeFileText(loc.slice(0, fileEnd)), line, column };
}

/** Index of the `(` matching the `)` at closeIndex, or -1. */
export function matchOpenParen(s: string, floor: number, closeIndex: number): number {
  let depth = 0;
  for (let i = closeIndex; i >= floor; i--) {
    const c = s.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return i;
  }
  return -1;
}

export function hasUnclosedParen(s: string, from: number, to: number): boolean {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && depth > 0) depth--;
  }
  return depth > 0;
}

export function hasWhitespace(s: string): boolean {
  return s.indexOf(' ') >= 0 || s.indexOf('\t') >= 0;
}

/** Where the frame's own text begins and ends in the line (without indentation). */
export interface FrameText {
  start: number;
  end: number;
}

/** Returned when a line is the first part of a frame that wrapped onto the next line. */
export const INCOMPLETE = 'incomplete';
export type Incomplete = typeof INCOMPLETE;
