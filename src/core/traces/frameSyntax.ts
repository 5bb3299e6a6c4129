// Single-line frame and header syntax of every supported format. Each parser scans by hand (no
// unanchored or nested regex quantifiers), so a hostile 100 KB line costs one linear pass.

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

function digitsStart(s: string, end: number, floor = 0): number {
  let d = end;
  while (d > floor && isDigitCode(s.charCodeAt(d - 1))) d--;
  return d;
}

function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
  return i;
}

function smallNumber(s: string, from: number, to: number): number | null {
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

function hasUnclosedParen(s: string, from: number, to: number): boolean {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && depth > 0) depth--;
  }
  return depth > 0;
}

function hasWhitespace(s: string): boolean {
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

// ---------------------------------------------------------------------------------------------
// `at …` frames: V8, Java/Kotlin, .NET

export type AtStyle = 'v8' | 'java' | 'dotnet';

export interface AtFrame extends FrameLocation, FrameText {
  style: AtStyle;
  function: string | null;
  /** False for frames that fit more than one style (`at A.B()`: .NET without symbols, or Java). */
  decisive: boolean;
}

// Frames are built field by field rather than with object spread: spreading a location into a
// new literal took V8's slow path and dominated the cost of parsing a frame.
function atFrame(style: AtStyle, decisive: boolean, fn: string | null, location: FrameLocation, start: number, end: number): AtFrame {
  return { style, decisive, function: fn, file: location.file, line: location.line, column: location.column, start, end };
}

const NO_LOCATION: FrameLocation = Object.freeze({ file: null, line: null, column: null });

export function parseAtFrame(text: string): AtFrame | Incomplete | null {
  const start = skipSpaces(text, 0);
  if (text.charCodeAt(start) !== 97 || text.charCodeAt(start + 1) !== 116) return null; // "at"
  const sep = text.charCodeAt(start + 2);
  if (sep !== 32 && sep !== 9) return null;
  const body = skipSpaces(text, start + 3);
  let end = trimmedEnd(text);
  if (end - start > MAX_FRAME_LINE || end <= body) return null;
  // Node prints an error's own properties after its last frame: `at f (x.js:1:2) {`
  if (text.charCodeAt(end - 1) === 123 && text.charCodeAt(end - 2) === 32) end = trimmedEnd(text, end - 2);
  // logback/log4j packaging data: ` ~[app.jar:1.0]`, ` [na:1.8.0_292]`
  if (text.charCodeAt(end - 1) === 93) {
    const open = text.lastIndexOf('[', end - 1);
    if (open > body) {
      const before = text[open - 1] === '~' ? open - 1 : open;
      if (text[before - 1] === ' ') end = trimmedEnd(text, before);
    }
  }
  const frameEnd = end;
  const dotnet = dotnetLocatedFrame(text, body, end);
  if (dotnet) return atFrame('dotnet', true, dotnet.function, dotnet, start, frameEnd);

  if (text.charCodeAt(end - 1) === 41) {
    const open = matchOpenParen(text, body, end - 1);
    if (open < 0) return null;
    const callee = text.slice(body, open);
    const inner = text.slice(open + 1, end - 1);
    if (callee.length === 0 || callee.endsWith(' ')) {
      // V8: `fn (location)`
      return atFrame('v8', true, callee.trim() || null, v8Location(inner), start, frameEnd);
    }
    if (hasWhitespace(callee)) return null;
    const fn = stripJavaModule(callee);
    if (inner === 'Native Method' || inner === 'Unknown Source' || inner === 'Unknown') {
      return atFrame('java', true, fn, NO_LOCATION, start, frameEnd);
    }
    if (!hasWhitespace(inner)) {
      const loc = splitLocation(inner);
      if (loc && loc.column === null) return atFrame('java', true, fn, loc, start, frameEnd);
      if (/^[\w$-]+\.(?:java|kt|kts|scala|groovy|clj)$/.test(inner)) {
        return atFrame('java', true, fn, { file: inner, line: null, column: null }, start, frameEnd);
      }
    }
    // `at N.T.M(String s)`: .NET without symbols; `at a.B.c()` could be either.
    return atFrame('dotnet', inner.length > 0, fn, NO_LOCATION, start, frameEnd);
  }
  if (hasUnclosedParen(text, body, end)) return INCOMPLETE;
  // V8 without a function name: `at /srv/x.js:1:2`, `at async file:///x.mjs:3:1`
  const locStart = text.startsWith('async ', body) ? body + 6 : body;
  const locText = text.slice(locStart, end);
  // Only an absolute path may contain spaces (`at C:\Program Files\app\x.js:3:1`).
  if (hasWhitespace(locText) && !/^(?:[A-Za-z]:[\\/]|\/)/.test(locText)) return null;
  const loc = splitLocation(locText);
  if (!loc) return null;
  return atFrame('v8', true, null, loc, start, frameEnd);
}

function v8Location(inner: string): FrameLocation {
  let loc = inner;
  // eval frames: `eval at f (/x.js:1:1), <anonymous>:1:1`: the eval site is the useful place.
  if (inner.startsWith('eval at ')) {
    const close = inner.indexOf(')');
    const open = close > 0 ? inner.lastIndexOf('(', close) : -1;
    if (open >= 0) loc = inner.slice(open + 1, close);
  }
  const parsed = splitLocation(loc);
  return parsed ?? NO_LOCATION;
}

/** `java.base/java.lang.Thread.run` → `java.lang.Thread.run`; `app//com.x.Y.z` → `com.x.Y.z`. */
function stripJavaModule(callee: string): string {
  // Lambda classes contain a slash too (`Foo$$Lambda$14/0x…`), but never a `$` before it.
  const m = /^[\w.@-]{1,200}\/\/?/.exec(callee);
  return m && m[0].length < callee.length ? callee.slice(m[0].length) : callee;
}

function dotnetLocatedFrame(text: string, body: number, end: number): (FrameLocation & { function: string | null }) | null {
  const d = digitsStart(text, end, body);
  if (d === end || !text.startsWith(':line ', d - 6)) return null;
  const line = smallNumber(text, d, end);
  const pathEnd = d - 6;
  const inAt = text.lastIndexOf(' in ', pathEnd);
  if (line === null || inAt < body) return null;
  let callee = text.slice(body, inAt);
  if (callee.endsWith(')')) {
    const open = matchOpenParen(callee, 0, callee.length - 1);
    if (open > 0) callee = callee.slice(0, open);
  }
  return { function: callee || null, file: text.slice(inAt + 4, pathEnd), line, column: null };
}

// ---------------------------------------------------------------------------------------------
// Exception headers: `pkg.Type: message`

const EXCEPTION_LIKE = /(?:Error|Exception|Throwable|Fault|Failure|Panic|Warning|Interrupt|Exit|Iteration)$/;

export interface ExceptionHeader {
  type: string | null;
  message: string;
}

/**
 * `Type: message` or a bare `Type`. With `strict`, the type must look like an exception class
 * (ends in Error/Exception…, or is a dotted class name), so ordinary log lines are not taken.
 */
export function parseExceptionHeader(text: string, strict: boolean): ExceptionHeader | null {
  let i = skipSpaces(text, 0);
  const end = trimmedEnd(text);
  if (end - i > MAX_FRAME_LINE) return null;
  const typeStart = i;
  while (i < end && i - typeStart < 300) {
    const c = text.charCodeAt(i);
    const identifier =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || isDigitCode(c) || c === 95 || c === 36 || c === 46 || c === 96 || c === 43;
    if (!identifier) break;
    i++;
  }
  if (i === typeStart) return null;
  const type = text.slice(typeStart, i);
  if (/^[\d.]/.test(type) || type.endsWith('.')) return null;
  let rest = i;
  // Node error codes: `TypeError [ERR_INVALID_ARG_TYPE]: …`
  if (text.startsWith(' [', rest)) {
    const close = text.indexOf(']', rest);
    if (close > 0 && close - rest < 80) rest = close + 1;
  }
  let message: string;
  if (rest >= end) message = '';
  else if (text.charCodeAt(rest) === 58) message = text.slice(skipSpaces(text, rest + 1), end);
  else return null;
  if (strict && !looksLikeExceptionType(type)) return null;
  return { type, message };
}

export function looksLikeExceptionType(type: string): boolean {
  if (EXCEPTION_LIKE.test(type)) return true;
  const dot = type.lastIndexOf('.');
  return dot > 0 && /^[A-Z]/.test(type.slice(dot + 1)) && /^[a-z]/.test(type);
}

/** Ruby and Python append the class in parentheses: `message (NoMethodError)`. */
export function splitTrailingType(message: string): ExceptionHeader {
  const m = /\(([A-Z][\w:]*)\)$/.exec(message.slice(-200));
  if (!m) return { type: null, message };
  return { type: m[1], message: message.slice(0, message.length - m[0].length).trimEnd() };
}

// ---------------------------------------------------------------------------------------------
// Python: `  File "/srv/app/x.py", line 3, in f` (faulthandler: `line 3 in f`)

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

// ---------------------------------------------------------------------------------------------
// Go: `main.handler(0xc000010000, 0x3)` then `\t/srv/app/main.go:12 +0x1d`

export interface GoFunctionLine extends FrameText {
  function: string;
  createdBy: boolean;
}

export function parseGoFunctionLine(text: string): GoFunctionLine | null {
  const start = skipSpaces(text, 0);
  const end = trimmedEnd(text);
  if (end <= start || end - start > MAX_FRAME_LINE) return null;
  if (text.startsWith('created by ', start)) {
    let fnEnd = text.indexOf(' in goroutine ', start);
    if (fnEnd < 0) fnEnd = end;
    const fn = text.slice(start + 11, fnEnd);
    return fn && !hasWhitespace(fn) ? { function: fn, createdBy: true, start, end } : null;
  }
  if (text.charCodeAt(end - 1) !== 41) return null;
  const open = matchOpenParen(text, start, end - 1);
  if (open <= start) return null;
  const fn = text.slice(start, open);
  if (hasWhitespace(fn) || (fn.indexOf('.') < 0 && fn !== 'panic')) return null;
  return { function: fn, createdBy: false, start, end };
}

export interface GoFileLine extends FrameLocation, FrameText {}

export function parseGoFileLine(text: string): GoFileLine | null {
  const c = text.charCodeAt(0);
  if (c !== 9 && c !== 32) return null;
  const start = skipSpaces(text, 0);
  let end = trimmedEnd(text);
  if (end - start > MAX_FRAME_LINE) return null;
  // `+0x1d`, and with GOTRACEBACK=system `fp=0x… sp=0x… pc=0x…`
  const space = text.indexOf(' ', start);
  if (space > 0 && space < end) {
    const suffix = text.slice(space + 1, end);
    if (!/^(?:\+0x[0-9a-f]+|[fsp]p=0x[0-9a-f]+)(?: [fsp]p=0x[0-9a-f]+)*$/.test(suffix)) return null;
    end = space;
  }
  const loc = splitLocation(text.slice(start, end));
  if (!loc || loc.column !== null) return null;
  if (!loc.file.endsWith('.go') && !loc.file.endsWith('.s') && loc.file !== '<autogenerated>') return null;
  return { file: loc.file, line: loc.line, column: loc.column, start, end: trimmedEnd(text) };
}

// ---------------------------------------------------------------------------------------------
// Ruby: `/app/x.rb:3:in 'Foo#bar': message (Type)` and `\tfrom /app/x.rb:7:in `<main>'`

export interface RubyFrame extends FrameLocation, FrameText {
  function: string;
  fromLine: boolean;
  /** The exception text when this is the first line of a trace (`…:in 'm': message (Type)`). */
  message: string | null;
}

export function parseRubyFrame(text: string): RubyFrame | null {
  const start = skipSpaces(text, 0);
  const end = trimmedEnd(text);
  if (end - start > MAX_FRAME_LINE) return null;
  const fromLine = text.startsWith('from ', start);
  const pathStart = fromLine ? skipSpaces(text, start + 5) : start;
  const inAt = text.indexOf(':in ', pathStart);
  if (inAt < 0) return null;
  const quote = text[inAt + 4];
  if (quote !== '`' && quote !== "'") return null;
  const d = digitsStart(text, inAt, pathStart);
  if (d === inAt || d <= pathStart + 1 || text[d - 1] !== ':') return null;
  const file = text.slice(pathStart, d - 1);
  if (hasWhitespace(file)) return null;
  const fnEnd = text.indexOf("'", inAt + 5);
  if (fnEnd < 0) return null;
  const after = fnEnd + 1;
  let message: string | null = null;
  if (text.startsWith(': ', after)) message = text.slice(after + 2, end);
  else if (after < end) return null;
  return {
    file,
    line: smallNumber(text, d, inAt),
    column: null,
    function: text.slice(inAt + 5, fnEnd),
    fromLine,
    message,
    start,
    end: message === null ? end : after,
  };
}

// ---------------------------------------------------------------------------------------------
// `#N …`: PHP (`#0 /x.php(12): f()`) and gdb (`#1  0x… in f (a=1) at x.c:12`)

export interface HashFrame extends FrameLocation, FrameText {
  format: 'php' | 'gdb';
  function: string | null;
  index: number;
}

type HashFrameBase = Pick<HashFrame, 'index' | 'start' | 'end'>;

/** Built field by field: object spread is V8's slow path here (see atFrame). */
function hashFrame(format: HashFrame['format'], fn: string | null, file: string | null, line: number | null, base: HashFrameBase): HashFrame {
  return { format, function: fn, file, line, column: null, index: base.index, start: base.start, end: base.end };
}

export function parseHashFrame(text: string): HashFrame | Incomplete | null {
  const start = skipSpaces(text, 0);
  if (text.charCodeAt(start) !== 35) return null;
  const numEnd = digitsEnd(text, start + 1);
  if (numEnd === start + 1 || numEnd - start > 6) return null;
  const body = skipSpaces(text, numEnd);
  if (body === numEnd) return null;
  const end = trimmedEnd(text);
  if (end - start > MAX_FRAME_LINE || body >= end) return null;
  const index = Number(text.slice(start + 1, numEnd));
  const rest = text.slice(body, end);
  const base: HashFrameBase = { index, start, end };
  if (rest === '{main}') return hashFrame('php', '{main}', null, null, base);
  if (rest.startsWith('[internal function]: ')) return hashFrame('php', phpCallee(rest.slice(21)), null, null, base);
  const paren = rest.indexOf('(');
  if (paren > 0) {
    const lineEnd = digitsEnd(rest, paren + 1);
    if (lineEnd > paren + 1 && rest[lineEnd] === ')' && (rest.startsWith('): ', lineEnd) || lineEnd + 1 === rest.length)) {
      const fn = lineEnd + 1 === rest.length ? null : phpCallee(rest.slice(lineEnd + 3));
      return hashFrame('php', fn, rest.slice(0, paren), smallNumber(rest, paren + 1, lineEnd), base);
    }
  }
  return gdbFrame(rest, base);
}

/** `App\Http\Kernel->handle(Object(Request))` → `App\Http\Kernel->handle`. */
function phpCallee(call: string): string {
  const paren = call.indexOf('(');
  return paren > 0 ? call.slice(0, paren) : call;
}

function gdbFrame(rest: string, base: HashFrameBase): HashFrame | Incomplete | null {
  let head = rest;
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
    const loc = splitLocation(head.slice(atAt + 4));
    if (loc) {
      file = loc.file;
      line = loc.line;
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
    if (!fn) return null;
    return hashFrame('gdb', fn, file, line, base);
  }
  // gdb wraps long argument lists onto indented lines: `#1  0x… in f (a=1,`
  if (head.indexOf('(') >= 0 && file === null && (hasAddress || head.indexOf(' (') > 0)) return INCOMPLETE;
  return null;
}
