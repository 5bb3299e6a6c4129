// Ruby: `/app/x.rb:3:in 'Foo#bar': message (Type)` then `\tfrom …` lines, in both the old
// backquote style and the 3.4 quote style. Causes follow as another header line.
import { splitTrailingType } from '../exceptionHeader';
import {
  digitsStart,
  type FrameLocation,
  type FrameText,
  hasWhitespace,
  MAX_FRAME_LINE,
  skipSpaces,
  smallNumber,
  trimmedEnd,
} from '../syntax';
import type { LineReader } from '../reader';
import { type BlockResult, ExceptionBuilder, spanIn, totalFrames, wholeLine } from './builder';

// One frame line: `/app/x.rb:3:in 'Foo#bar': message (Type)` and `\tfrom /app/x.rb:7:in `<main>'`.

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
  // Code evaluated from a file (config.ru) has no line: `from /app/config.ru:in '<main>'`.
  const d = digitsStart(text, inAt, pathStart);
  const hasLine = d < inAt;
  if ((hasLine && (d <= pathStart + 1 || text[d - 1] !== ':')) || (!hasLine && inAt <= pathStart)) return null;
  const file = text.slice(pathStart, hasLine ? d - 1 : inAt);
  if (hasWhitespace(file)) return null;
  const fnEnd = text.indexOf("'", inAt + 5);
  if (fnEnd < 0) return null;
  const after = fnEnd + 1;
  let message: string | null = null;
  if (text.startsWith(': ', after)) message = text.slice(after + 2, end);
  else if (after < end) return null;
  return {
    file,
    line: hasLine ? smallNumber(text, d, inAt) : null,
    column: null,
    function: text.slice(inAt + 5, fnEnd),
    fromLine,
    message,
    start,
    end: message === null ? end : after,
  };
}

const MAX_MESSAGE_LINES = 5;

export function parseRubyBlock(reader: LineReader, start: number): BlockResult | null {
  const builders: ExceptionBuilder[] = [];
  let current: ExceptionBuilder | null = null;
  let i = start;
  for (;;) {
    const line = reader.at(i);
    if (!line) break;
    const frame = parseRubyFrame(line.text);
    if (!frame) {
      if (current && /^\.\.\. \d+ levels\.\.\.$/.test(line.text.trim())) {
        i++;
        continue;
      }
      break;
    }
    if (!frame.fromLine && frame.message !== null) {
      let { type, message } = splitTrailingType(frame.message);
      let last = line;
      // A multi-line message ends with `(Type)` on its last line.
      if (type === null) {
        for (let k = 1; k <= MAX_MESSAGE_LINES; k++) {
          const next = reader.at(i + k);
          if (!next || parseRubyFrame(next.text)) break;
          const split = splitTrailingType(next.text.trim());
          if (split.type) {
            const lines = [message];
            for (let m = 1; m < k; m++) lines.push(reader.trimmed(i + m));
            lines.push(split.message);
            message = lines.join('\n');
            type = split.type;
            last = next;
            i += k;
            break;
          }
        }
      }
      current = new ExceptionBuilder(type, message, builders.length ? 'cause' : null, true, {
        start: wholeLine(line).start,
        end: wholeLine(last).end,
      });
      builders.push(current);
    } else if (!current) {
      current = new ExceptionBuilder(null, '', null, true, wholeLine(line));
      builders.push(current);
    }
    current.addFrame(frame.function, frame, spanIn(line, frame.start, frame.end));
    i++;
  }
  if (totalFrames(builders) === 0) return null;
  return { language: 'ruby', exceptions: builders.map((b) => b.build('ruby')), end: i };
}
