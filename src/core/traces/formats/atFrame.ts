// One `at …` frame line of V8 (Node), Java/Kotlin or .NET, told apart by its syntax; the block
// around it is read by ./at.ts.
import {
  digitsStart,
  type FrameLocation,
  type FrameText,
  hasUnclosedParen,
  hasWhitespace,
  INCOMPLETE,
  type Incomplete,
  matchOpenParen,
  MAX_FRAME_LINE,
  skipSpaces,
  smallNumber,
  splitLocation,
  trimmedEnd,
} from '../syntax';

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
    // A class loader's name before `//` may hold spaces (Spigot: `at Plugin-1.0 (1).jar//com.x.Y.z(Y.java:3)`).
    const loaderEnd = callee.lastIndexOf('//');
    const qualified = loaderEnd > 0 && hasWhitespace(callee) ? callee.slice(loaderEnd + 2) : callee;
    if (hasWhitespace(qualified)) return null;
    const fn = stripJavaModule(qualified);
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
