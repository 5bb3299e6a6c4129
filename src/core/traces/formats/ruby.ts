// Ruby: `/app/x.rb:3:in 'Foo#bar': message (Type)` then `\tfrom …` lines, in both the old
// backquote style and the 3.4 quote style. Causes follow as another header line.
import { parseRubyFrame, splitTrailingType } from '../frameSyntax';
import type { LineReader } from '../reader';
import { type BlockResult, ExceptionBuilder, spanIn, totalFrames, wholeLine } from './builder';

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
