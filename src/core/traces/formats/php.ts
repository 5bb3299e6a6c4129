// PHP: `PHP Fatal error:  Uncaught Type: message in /x.php:12`, `Stack trace:`, `#0 /x.php(30): f()`,
// `#1 {main}`, `  thrown in /x.php on line 12`; earlier exceptions chain with `Next Type: …`.
import { digitsEnd, type FrameLocation, type FrameText, smallNumber, splitLocation } from '../syntax';
import { type HashPrefix, readHashPrefix } from './hashFrame';
import type { LogicalLine } from '../logicalLine';
import type { LineReader } from '../reader';
import { type BlockResult, ExceptionBuilder, spanIn, totalFrames, wholeLine } from './builder';

// One frame line: `#0 /x.php(12): App\Kernel->handle(Object(Request))`, `#1 [internal function]: f()`, `#2 {main}`.

export interface PhpFrame extends FrameLocation, FrameText {
  function: string | null;
  index: number;
}

/** Built field by field: object spread is V8's slow path here (see atFrame.ts). */
function phpFrame(fn: string | null, file: string | null, line: number | null, prefix: HashPrefix): PhpFrame {
  return { function: fn, file, line, column: null, index: prefix.index, start: prefix.start, end: prefix.end };
}

export function parsePhpFrame(text: string): PhpFrame | null {
  const prefix = readHashPrefix(text);
  if (!prefix) return null;
  const rest = text.slice(prefix.body, prefix.end);
  if (rest === '{main}') return phpFrame('{main}', null, null, prefix);
  if (rest.startsWith('[internal function]: ')) return phpFrame(phpCallee(rest.slice(21)), null, null, prefix);
  const paren = rest.indexOf('(');
  if (paren > 0) {
    const lineEnd = digitsEnd(rest, paren + 1);
    if (lineEnd > paren + 1 && rest[lineEnd] === ')' && (rest.startsWith('): ', lineEnd) || lineEnd + 1 === rest.length)) {
      const fn = lineEnd + 1 === rest.length ? null : phpCallee(rest.slice(lineEnd + 3));
      return phpFrame(fn, rest.slice(0, paren), smallNumber(rest, paren + 1, lineEnd), prefix);
    }
  }
  return null;
}

/** `App\Http\Kernel->handle(Object(Request))` → `App\Http\Kernel->handle`. */
function phpCallee(call: string): string {
  const paren = call.indexOf('(');
  return paren > 0 ? call.slice(0, paren) : call;
}

const PHP_PREFIXES = ['PHP Fatal error:', 'Fatal error:', 'PHP Warning:', 'Warning:'];

interface PhpHeader {
  type: string;
  message: string;
  file: string;
  line: number;
  next: boolean;
}

/** `PHP Fatal error:  Uncaught RuntimeException: boom in /var/www/x.php:12` and `Next …` lines. */
export function parsePhpHeader(trimmed: string): PhpHeader | null {
  let rest = trimmed;
  for (const prefix of PHP_PREFIXES) {
    if (rest.startsWith(prefix)) {
      rest = rest.slice(prefix.length).trimStart();
      break;
    }
  }
  let next = false;
  if (rest.startsWith('Uncaught ')) rest = rest.slice(9);
  else if (rest.startsWith('Next ')) {
    rest = rest.slice(5);
    next = true;
  } else if (rest === trimmed) return null;
  const colon = rest.indexOf(': ');
  const inAt = rest.lastIndexOf(' in ');
  if (colon <= 0 || inAt < colon || /\s/.test(rest.slice(0, colon))) return null;
  const location = splitLocation(rest.slice(inAt + 4));
  if (!location || location.column !== null) return null;
  return { type: rest.slice(0, colon), message: rest.slice(colon + 2, inAt), file: location.file, line: location.line, next };
}

/** From the first `#0` frame (or `Stack trace:`) back to the `Uncaught …` header above it. */
export function phpBlockStart(reader: LineReader, index: number): number {
  let start = index;
  if (start > 0 && reader.trimmed(start) !== 'Stack trace:' && reader.trimmed(start - 1) === 'Stack trace:') start--;
  if (start > 0 && parsePhpHeader(reader.trimmed(start - 1))) start--;
  return start;
}

export function parsePhpBlock(reader: LineReader, start: number): BlockResult | null {
  const builders: ExceptionBuilder[] = [];
  let current: ExceptionBuilder | null = null;
  let i = start;
  const open = (line: LogicalLine, header: PhpHeader | null) => {
    current = new ExceptionBuilder(
      header?.type ?? null,
      header?.message ?? '',
      builders.length ? 'caused-by-previous' : null,
      true,
      wholeLine(line),
    );
    builders.push(current);
    // The throw site printed in the header is the innermost frame.
    if (header) current.addFrame(null, { file: header.file, line: header.line, column: null }, wholeLine(line));
    return current;
  };
  for (;;) {
    const line = reader.at(i);
    if (!line) break;
    const trimmed = line.text.trim();
    const header = parsePhpHeader(trimmed);
    if (header) {
      if (current && !header.next) break;
      open(line, header);
      i++;
      continue;
    }
    // PHP leaves a blank line before each `Next` exception of a chain.
    if (current && line.isBlank() && parsePhpHeader(reader.trimmed(i + 1))?.next) {
      i++;
      continue;
    }
    if (trimmed === 'Stack trace:') {
      i++;
      continue;
    }
    const frame = parsePhpFrame(line.text);
    if (frame) {
      const target: ExceptionBuilder = current ?? open(line, null);
      target.addFrame(frame.function, frame, spanIn(line, frame.start, frame.end));
      i++;
      continue;
    }
    if (current && trimmed.startsWith('thrown in ') && / on line \d+$/.test(trimmed)) {
      (current as ExceptionBuilder).extendTo(wholeLine(line).end);
      i++;
    }
    break;
  }
  if (totalFrames(builders) === 0) return null;
  return { language: 'php', exceptions: builders.map((b) => b.build('php')), end: i };
}
