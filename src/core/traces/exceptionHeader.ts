// Exception headers, `pkg.Type: message`, as the `at`, Python and Ruby formats print them.
import { isDigitCode, MAX_FRAME_LINE, skipSpaces, trimmedEnd } from './syntax';

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
  // A class name starts with a letter, `_` or `$` (not a Markdown fence's backquotes, a digit or a dot).
  if (!/^[A-Za-z_$]/.test(type) || type.endsWith('.')) return null;
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
