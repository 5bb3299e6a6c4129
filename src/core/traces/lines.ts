// Turns raw log text into the lines a trace parser wants to read: terminal colour codes removed,
// stacks that were escaped inside JSON (or logfmt) strings unfolded into their own lines, and log
// prefixes (timestamps, levels, [thread]) dropped. Every character keeps the offset it came from,
// so frames can point back into the original text.
import { stripAnsi } from './ansi';
import { unfoldEscapedLine, unfoldEscapedStrings } from './escapedStrings';
import { splitPhpOneLine, STACK_TRACE } from './formats/phpOneLine';
import { LogicalLine } from './logicalLine';
import { logPrefixLength } from './logPrefix';

/** PHP's message with its newlines escaped outside quotes (Apache's error log). */
const ESCAPED_PHP_STACK = '\\nStack trace:\\n#';

/** Longer lines are not cleaned or unfolded: bounds the work one hostile line can cause. */
const MAX_TRANSFORMED_LINE = 16 * 1024;

/** The logical lines of the physical line input[start, end) (end excludes the newline). */
export function logicalLinesOf(input: string, start: number, end: number): LogicalLine[] {
  if (end > start && input.charCodeAt(end - 1) === 13) end--;
  let line = LogicalLine.plain(input.slice(start, end), start, start, end);
  // Longer lines cannot hold a frame unless they hide a stack in a string; past this they are left as they are.
  if (line.text.length > MAX_TRANSFORMED_LINE) return [line];
  if (line.text.indexOf('\x1b') >= 0 || line.text.indexOf('\x9b') >= 0) line = stripAnsi(line);
  if (line.text.indexOf('\\n') >= 0) {
    const unfolded = unfoldEscapedStrings(line, 2);
    if (unfolded) return unfolded;
    if (line.text.indexOf(ESCAPED_PHP_STACK) >= 0) {
      const lines = unfoldEscapedLine(line);
      lines[0] = lines[0].dropStart(logPrefixLength(lines[0].text));
      return lines;
    }
  }
  const phpLines = line.text.indexOf(STACK_TRACE) >= 0 ? splitPhpOneLine(line) : null;
  if (phpLines) {
    phpLines[0] = phpLines[0].dropStart(logPrefixLength(phpLines[0].text));
    return phpLines;
  }
  return [line.dropStart(logPrefixLength(line.text))];
}

/**
 * True when the physical line input[start, end) certainly makes one logical line: without a
 * backslash there is no escaped newline to unfold, nor a PHP trace printed on one line. Lets a
 * reader count a line before splitting it.
 */
export function isOneLogicalLine(input: string, start: number, end: number): boolean {
  const text = input.slice(start, end);
  return text.indexOf('\\') < 0 && text.indexOf(STACK_TRACE) < 0;
}
