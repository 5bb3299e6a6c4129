// The `#N ` that starts a PHP frame (`#0 /x.php(12): f()`) and a gdb frame (`#1  0x… in f (a=1) at
// x.c:12`); each format reads the rest of the line (./php.ts, ./gdb.ts).
import { digitsEnd, MAX_FRAME_LINE, skipSpaces, trimmedEnd } from '../syntax';

export interface HashPrefix {
  index: number;
  /** Where `#` is. */
  start: number;
  /** Where the text after the number and its spaces starts. */
  body: number;
  /** Index one past the last non-space character. */
  end: number;
}

/** `#N` and at least one space, then some text; null when the line does not start so. */
export function readHashPrefix(text: string): HashPrefix | null {
  const start = skipSpaces(text, 0);
  if (text.charCodeAt(start) !== 35) return null;
  const numEnd = digitsEnd(text, start + 1);
  if (numEnd === start + 1 || numEnd - start > 6) return null;
  const body = skipSpaces(text, numEnd);
  if (body === numEnd) return null;
  const end = trimmedEnd(text);
  if (end - start > MAX_FRAME_LINE || body >= end) return null;
  return { index: Number(text.slice(start + 1, numEnd)), start, body, end };
}
