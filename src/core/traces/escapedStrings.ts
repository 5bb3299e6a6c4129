// Stacks escaped inside JSON (or logfmt) strings: `{"stack":"Error: x\\n    at f (…)"}` unfolded
// into one logical line per escaped line, each character keeping its input offset.
import { LogicalLine } from './logicalLine';

/**
 * Unfolds double-quoted strings that contain `\n` escapes (a stack inside a JSON log line) into
 * one logical line per escaped line. Returns null when no string had one.
 */
export function unfoldEscapedStrings(line: LogicalLine, depth: number): LogicalLine[] | null {
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

/**
 * A whole line whose newlines were escaped outside any string, as Apache's error log writes PHP's
 * messages (`…:1261\\nStack trace:\\n#0 …`): one logical line per escaped line.
 */
export function unfoldEscapedLine(line: LogicalLine): LogicalLine[] {
  return decodeStringLines(line, 0, line.text.length);
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
    lines.push(
      LogicalLine.mapped(text.slice(lineStart, lineEnd), table.subarray(lineStart, lineEnd + 1), line.physicalStart, line.physicalEnd),
    );
    if (newline < 0) return lines;
    lineStart = newline + 1;
  }
}
