// The plain decisions behind "Tail Log…" and its terminals: what the user typed (filters, paths,
// line counts, keys), how files are described and named (terminals, documents, excerpts). No
// `vscode` here: unit-tested in plain Node (test/unit/logs-views).
import { formatBytes } from '../../core/health/format';
import type { LogFilter } from '../../core/logs/filter';
import type { LogFileEntry } from '../../core/logs/list';

/** What a key pressed in a log terminal asks for. */
export type LogAction = 'togglePause' | 'changeFilter' | 'openInEditor' | 'saveExcerpt' | 'help' | 'retry' | 'close';

const keys: Record<string, LogAction> = {
  p: 'togglePause',
  ' ': 'togglePause',
  '/': 'changeFilter',
  o: 'openInEditor',
  s: 'saveExcerpt',
  '?': 'help',
  h: 'help',
  r: 'retry',
  q: 'close',
  '\x03': 'close',
};

/** The action for one keystroke (the terminal's input), if any. */
export function keyAction(data: string): LogAction | undefined {
  return Object.hasOwn(keys, data) ? keys[data] : undefined;
}

export const HELP_LINE =
  'keys: p or space pause/resume · / change filter · o open in editor · s save excerpt · r retry a failed log · q close · ? this help';

export type FilterParse = { filter: LogFilter | undefined } | { error: string };

/**
 * A filter as typed: empty for none, `/regex/` or `/regex/i` for a regular expression, anything
 * else a plain substring (case-sensitive).
 */
export function parseFilterText(text: string): FilterParse {
  if (text === '') return { filter: undefined };
  const m = /^\/(.+)\/(i?)$/s.exec(text);
  if (!m) return { filter: { pattern: text } };
  const filter: LogFilter = { pattern: m[1], regex: true, ignoreCase: m[2] === 'i' };
  try {
    new RegExp(filter.pattern);
  } catch (error) {
    return { error: `Not a valid regular expression: ${(error as Error).message}` };
  }
  return { filter };
}

/** The text that parseFilterText reads back as `filter` (to prefill the box). */
export function formatFilter(filter: LogFilter | undefined): string {
  if (!filter) return '';
  return filter.regex ? `/${filter.pattern}/${filter.ignoreCase ? 'i' : ''}` : filter.pattern;
}

/** A line count as typed: a whole number from 1 up, or an error to show under the box. */
export function parseLineCount(text: string): number | { error: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) return { error: 'Type a whole number of lines, 1 or more.' };
  return Number(trimmed);
}

export function formatAge(modifiedMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - modifiedMs) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** "12 MiB · 3 min ago", and whether the ssh user may not read it. */
export function describeLogFile(entry: LogFileEntry, nowMs: number): string {
  const parts = [formatBytes(entry.sizeBytes), formatAge(entry.modifiedMs, nowMs)];
  if (!entry.readable) parts.push('not readable by the ssh user');
  return parts.join(' · ');
}

/** A log file as listed on one or more of the selected hosts. */
export interface ListedLog {
  path: string;
  /** Its newest copy among the hosts that have it. */
  entry: LogFileEntry;
  /** The hosts that have it, in the order they were selected. */
  hosts: string[];
}

/**
 * The logs listed so far on the selected `hosts` (in their order), one row per path, newest first.
 * With several hosts a file some of them lack says which hosts have it.
 */
export function mergeLogLists(hosts: readonly string[], listed: ReadonlyMap<string, readonly LogFileEntry[]>): ListedLog[] {
  const byPath = new Map<string, ListedLog>();
  for (const host of hosts) {
    for (const entry of listed.get(host) ?? []) {
      const known = byPath.get(entry.path);
      if (!known) byPath.set(entry.path, { path: entry.path, entry, hosts: [host] });
      else {
        known.hosts.push(host);
        if (entry.modifiedMs > known.entry.modifiedMs) known.entry = entry;
      }
    }
  }
  return [...byPath.values()].sort((a, b) => b.entry.modifiedMs - a.entry.modifiedMs || a.path.localeCompare(b.path));
}

/** describeLogFile, plus "only on web-1, web-2" when some of the `listing` hosts (those that listed their logs) lack the file. */
export function describeListedLog(log: ListedLog, listing: number, nowMs: number): string {
  const description = describeLogFile(log.entry, nowMs);
  return log.hosts.length < listing ? `${description} · only on ${log.hosts.join(', ')}` : description;
}

/**
 * The path a user typed in the file picker, when it can be one: absolute, home-relative or
 * explicitly relative, so that typing a word to narrow the list does not turn it into a path.
 */
export function typedPath(value: string): string | undefined {
  const path = value.trim();
  return /^(?:\/|~\/|\.\.?\/)./.test(path) ? path : undefined;
}

export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || trimmed;
}

/** One log followed in a terminal: a file on a host. */
export interface LogSource {
  host: string;
  path: string;
}

/**
 * What each terminal follows when the user chose `paths` on `hosts`: one terminal per host and
 * file, or one merged terminal with all of them (host by host, files in the chosen order).
 */
export function tailGroups(hosts: readonly string[], paths: readonly string[], merged: boolean): LogSource[][] {
  const all = hosts.flatMap((host) => paths.map((path) => ({ host, path })));
  return merged ? [all] : all.map((source) => [source]);
}

/**
 * `log · web-1 · app.log`, `log · web-1 · 3 files`, or for several hosts `log · 2 hosts · app.log`
 * and `log · 2 hosts · 4 files`. A single host is a part of its own: the trace links read it back
 * from the name.
 */
export function logGroupName(sources: readonly LogSource[]): string {
  const hosts = new Set(sources.map((s) => s.host));
  const paths = new Set(sources.map((s) => s.path));
  const where = hosts.size === 1 ? [...hosts][0] : `${hosts.size} hosts`;
  const what = paths.size === 1 ? baseName([...paths][0]) : `${sources.length} files`;
  return `log · ${where} · ${what}`;
}

/**
 * Per-line prefixes for a merged terminal: host and the shortest path suffix that tells the files
 * apart, padded to one width so the lines align ("web-1 app.log    │ "). None for a single log.
 */
export function sourcePrefixes(sources: readonly LogSource[]): string[] {
  if (sources.length <= 1) return sources.map(() => '');
  const paths = [...new Set(sources.map((s) => s.path))];
  const parts = paths.map((p) => p.split('/').filter(Boolean));
  const shortName = new Map(
    paths.map((path, i) => {
      for (let take = 1; take <= parts[i].length; take++) {
        const suffix = parts[i].slice(-take).join('/');
        const clashes = parts.some((other, j) => j !== i && other.slice(-take).join('/') === suffix);
        if (!clashes) return [path, suffix];
      }
      return [path, path];
    }),
  );
  const hostWidth = Math.max(...sources.map((s) => s.host.length));
  const labels = sources.map((s) => `${s.host.padEnd(hostWidth)} ${shortName.get(s.path)}`);
  const width = Math.max(...labels.map((l) => l.length));
  return labels.map((l) => `${l.padEnd(width)} │ `);
}

/** Keeps a name safe as one path segment on any file system. */
function segment(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'log';
}

/** `web-1-app-20240501-031522`: host, file (without `.log`) and local time, for an evidence file. */
export function excerptBaseName(host: string, file: string, when: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}-${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  return `${segment(host)}-${segment(baseName(file).replace(/\.log$/, ''))}-${stamp}`;
}

/** File names to try in order (at most `max`), so an existing excerpt is never overwritten. */
export function* excerptFileNames(base: string, max = 1000): Generator<string> {
  yield `${base}.log`;
  for (let n = 2; n <= max; n++) yield `${base}-${n}.log`;
}

/** The workspace-relative folder excerpts are saved in. */
export const EVIDENCE_FOLDER = 'incidents/evidence';

/**
 * The whole lines an editor selection touches, as [first, end) line numbers: a selection that
 * ends at the start of a line does not take that line.
 */
export function selectedLines(start: { line: number }, end: { line: number; character: number }): [number, number] {
  return [start.line, end.character === 0 && end.line > start.line ? end.line : end.line + 1];
}
