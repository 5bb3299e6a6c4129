// Terminal presentation of log lines as plain ANSI strings: level colours, filter matches,
// and the markers the follower shows between lines. colourLine makes the line's own control
// characters visible first, so the only escape sequences in its output are ours.
import { makeVisible } from './lines';

const reset = '\x1b[0m';
const style = {
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[36m',
  debug: '\x1b[2m',
  match: '\x1b[1;7m',
  matchOff: '\x1b[22;27m',
  notice: '\x1b[2;3m',
} as const;

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const levelPatterns: [LogLevel, RegExp][] = [
  ['error', /\b(?:FATAL|CRIT(?:ICAL)?|ERROR|ERR|SEVERE|PANIC|EMERG|ALERT|Traceback)\b|\blevel=(?:error|fatal|crit)/i],
  ['warn', /\b(?:WARN(?:ING)?)\b|\blevel=warn/i],
  ['info', /\b(?:INFO|NOTICE)\b|\blevel=info/i],
  ['debug', /\b(?:DEBUG|TRACE|FINE(?:R|ST)?)\b|\blevel=(?:debug|trace)/i],
];

/** The level a line announces, judged by the first 200 characters (where the level sits). */
export function detectLevel(line: string): LogLevel | undefined {
  const head = line.length > 200 ? line.slice(0, 200) : line;
  for (const [level, re] of levelPatterns) if (re.test(head)) return level;
  return undefined;
}

/** Reverse video on each match of `re` (a global RegExp, e.g. from compileFilter), keeping the surrounding colour. */
export function highlightMatches(line: string, re: RegExp): string {
  re.lastIndex = 0;
  return line.replace(re, (m) => (m === '' ? m : `${style.match}${m}${style.matchOff}`));
}

/**
 * The whole line, control characters made visible, in its level's colour, with filter matches
 * highlighted; with `colour: false` only made visible.
 */
export function colourLine(raw: string, options: { colour?: boolean; highlight?: RegExp } = {}): string {
  const line = makeVisible(raw);
  if (options.colour === false) return line;
  const level = detectLevel(line);
  const body = options.highlight ? highlightMatches(line, options.highlight) : line;
  if (!level && body === line) return line;
  return `${level ? style[level] : ''}${body}${reset}`;
}

/** "⋯ 1,234 lines skipped (kept in the buffer) ⋯": the terminal could not keep up. */
export function skippedMarker(count: number, options: { colour: boolean }): string {
  const text = `⋯ ${count.toLocaleString('en-US')} line${count === 1 ? '' : 's'} skipped (kept in the buffer) ⋯`;
  return options.colour ? `${style.notice}${text}${reset}` : text;
}

/** A follower notice between log lines ("— log rotated … —"). */
export function noticeLine(text: string, options: { colour: boolean }): string {
  const line = `— ${text} —`;
  return options.colour ? `${style.notice}${line}${reset}` : line;
}
