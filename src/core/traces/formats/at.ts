// The three formats whose frames start with `at `: V8 (Node), Java/Kotlin and .NET. They share a
// block shape (a header, then frames) and are told apart by frame syntax and markers.
import { parseExceptionHeader } from '../exceptionHeader';
import { INCOMPLETE } from '../syntax';
import { type AtFrame, type AtStyle, parseAtFrame } from './atFrame';
import type { LogicalLine } from '../logicalLine';
import type { LineReader } from '../reader';
import type { ExceptionRelation, TraceLanguage } from '../types';
import { type BlockResult, ExceptionBuilder, spanIn, totalFrames, wholeLine } from './builder';

const MAX_MESSAGE_LINES = 8;
const MAX_WRAP_LINES = 3;
const MAX_PROPERTY_LINES = 40;

/** Header prefixes that mark the start of an `at` trace, with the language they imply. */
const HEADER_PREFIXES: [string, AtStyle | null][] = [
  ['Unhandled exception. ', 'dotnet'],
  ['Unhandled Exception: ', 'dotnet'],
  ['Uncaught ', 'v8'],
  ['Caused by: ', 'java'],
];

export function isStrongAtHeader(trimmed: string): boolean {
  return (
    trimmed.startsWith('Exception in thread "') ||
    HEADER_PREFIXES.some(([prefix]) => trimmed.startsWith(prefix) && trimmed.length > prefix.length)
  );
}

/** Line index where the trace that has its first frame at `frameIndex` begins (its header). */
export function atBlockStart(reader: LineReader, frameIndex: number): number {
  for (let k = frameIndex - 1; k >= 0 && k >= frameIndex - MAX_MESSAGE_LINES; k--) {
    const line = reader.at(k);
    if (!line || line.isBlank() || parseAtFrame(line.text) !== null) break;
    const trimmed = line.text.trim();
    if (isStrongAtHeader(trimmed) || parseExceptionHeader(trimmed, true)) return k;
  }
  const previous = frameIndex > 0 ? reader.at(frameIndex - 1) : undefined;
  return previous && !previous.isBlank() && parseAtFrame(previous.text) === null ? frameIndex - 1 : frameIndex;
}

interface Votes {
  v8: number;
  java: number;
  dotnet: number;
  ambiguous: number;
}

export function parseAtBlock(reader: LineReader, start: number): BlockResult | null {
  const builders: ExceptionBuilder[] = [];
  // .NET prints inner exceptions nested: headers outer→inner, then the innermost frames first.
  const nesting: ExceptionBuilder[] = [];
  const votes: Votes = { v8: 0, java: 0, dotnet: 0, ambiguous: 0 };
  let i = start;
  let propertyDepth = 0;
  let propertyLines = 0;

  const openException = (line: LogicalLine, text: string, relation: ExceptionRelation | null, index: number): number => {
    const headerParts = splitHeader(text, votes);
    let next = index + 1;
    // Messages may run over several lines before the first frame.
    const extra: string[] = [];
    while (extra.length < MAX_MESSAGE_LINES) {
      const candidate = reader.at(next);
      if (!candidate || candidate.isBlank() || parseAtFrame(candidate.text) !== null || isMarker(candidate.text.trim())) break;
      const ahead = lookaheadForFrame(reader, next);
      if (!ahead) break;
      extra.push(candidate.text.trim());
      next++;
    }
    const last = reader.at(next - 1) ?? line;
    headerParts.forEach((part, n) => {
      const builder = new ExceptionBuilder(
        part.type,
        n === headerParts.length - 1 && extra.length > 0 ? [part.message, ...extra].join('\n') : part.message,
        builders.length === 0 ? null : n === 0 ? relation : 'inner',
        true,
        { start: wholeLine(line).start, end: wholeLine(last).end },
      );
      builders.push(builder);
      if (relation !== 'inner' && n === 0) nesting.length = 0;
      nesting.push(builder);
    });
    return next;
  };

  const first = reader.at(start);
  if (!first) return null;
  if (parseAtFrame(first.text) === null) {
    const trimmed = first.text.trim();
    const relation = trimmed.startsWith('Caused by: ') ? 'cause' : null;
    i = openException(first, relation ? trimmed.slice(11) : trimmed, relation, start);
  }

  for (;;) {
    const line = reader.at(i);
    if (!line) break;
    let frame = parseAtFrame(line.text);
    let frameLine = line;
    let used = 1;
    if (frame === INCOMPLETE) {
      // A terminal or log shipper hard-wrapped the frame: glue the pieces back together.
      frame = null;
      let joined = line;
      for (let k = 1; k <= MAX_WRAP_LINES; k++) {
        const next = reader.at(i + k);
        if (!next || next.isBlank() || parseAtFrame(next.text) !== null) break;
        joined = joined.join(next, '');
        const attempt = parseAtFrame(joined.text);
        if (attempt !== INCOMPLETE) {
          if (attempt) {
            frame = attempt;
            frameLine = joined;
            used = k + 1;
          }
          break;
        }
      }
      if (!frame) break;
    }
    if (frame) {
      countStyle(votes, frame);
      let current = nesting[nesting.length - 1];
      if (!current) {
        current = new ExceptionBuilder(null, '', null, true, spanIn(frameLine, frame.start, frame.start));
        builders.push(current);
        nesting.push(current);
      }
      current.addFrame(frame.function, frame, spanIn(frameLine, frame.start, frame.end));
      if (frameLine.text.trimEnd().endsWith(' {')) propertyDepth++;
      i += used;
      continue;
    }
    const trimmed = line.text.trim();
    if (/^\.\.\. \d+ (?:more|common frames omitted)$/.test(trimmed)) {
      votes.java++;
      nesting[nesting.length - 1]?.extendTo(wholeLine(line).end);
      i++;
      continue;
    }
    if (trimmed.startsWith('Caused by: ')) {
      votes.java++;
      i = openException(line, trimmed.slice(11), 'cause', i);
      continue;
    }
    if (trimmed.startsWith('Suppressed: ')) {
      votes.java++;
      i = openException(line, trimmed.slice(12), 'suppressed', i);
      continue;
    }
    if (trimmed.startsWith('---> ')) {
      votes.dotnet++;
      i = openException(line, trimmed.slice(5).replace(/^\(Inner Exception #\d+\) /, ''), 'inner', i);
      continue;
    }
    if (trimmed.startsWith('--- End of inner exception stack trace ---')) {
      votes.dotnet++;
      if (nesting.length > 1) nesting.pop();
      i++;
      continue;
    }
    if (
      trimmed.startsWith('--- End of stack trace from previous location') ||
      trimmed.startsWith('--- End of stack trace from the previous location')
    ) {
      votes.dotnet++;
      i++;
      continue;
    }
    if (propertyDepth > 0 && propertyLines < MAX_PROPERTY_LINES) {
      // Node prints an error's properties (`code: 'ENOENT'`, `[cause]: Error…`) after its frames.
      propertyLines++;
      if (trimmed.startsWith('[cause]: ')) {
        votes.v8++;
        i = openException(line, trimmed.slice(9), 'cause', i);
        continue;
      }
      if (trimmed.startsWith('}') || trimmed.startsWith(']')) propertyDepth--;
      else if (trimmed.endsWith('{') || trimmed.endsWith('[')) propertyDepth++;
      i++;
      continue;
    }
    break;
  }
  if (totalFrames(builders) === 0) return null;
  const language = decideLanguage(votes);
  return { language, exceptions: builders.map((b) => b.build(language)), end: i };
}

function isMarker(trimmed: string): boolean {
  return (
    trimmed.startsWith('Caused by: ') ||
    trimmed.startsWith('Suppressed: ') ||
    trimmed.startsWith('---> ') ||
    trimmed.startsWith('--- End of ')
  );
}

/** True when a frame follows within the message-line budget (so these lines are the message). */
function lookaheadForFrame(reader: LineReader, from: number): boolean {
  for (let k = from; k < from + MAX_MESSAGE_LINES; k++) {
    const line = reader.at(k);
    if (!line || line.isBlank()) return false;
    if (parseAtFrame(line.text) !== null) return true;
  }
  return false;
}

function splitHeader(text: string, votes: Votes): { type: string | null; message: string }[] {
  let rest = text.trim();
  if (rest.startsWith('Exception in thread "')) {
    const close = rest.indexOf('" ', 21);
    if (close > 0) {
      rest = rest.slice(close + 2);
      votes.java++;
    }
  }
  for (const [prefix, style] of HEADER_PREFIXES) {
    if (rest.startsWith(prefix)) {
      rest = rest.slice(prefix.length);
      if (style) votes[style]++;
      break;
    }
  }
  // .NET Framework prints inner exceptions on the same line: `A: outer ---> B: inner`.
  const parts = rest.split(' ---> ');
  if (parts.length > 1) votes.dotnet++;
  return parts.map((part) => {
    const header = parseExceptionHeader(part, false);
    if (header?.type?.startsWith('System.')) votes.dotnet++;
    return header ?? { type: null, message: part };
  });
}

function countStyle(votes: Votes, frame: AtFrame): void {
  if (!frame.decisive) votes.ambiguous++;
  else votes[frame.style]++;
}

function decideLanguage(votes: Votes): TraceLanguage {
  if (votes.dotnet > votes.java && votes.dotnet > votes.v8) return 'dotnet';
  if (votes.java > votes.v8) return 'java';
  if (votes.v8 > 0) return 'javascript';
  return 'dotnet';
}
