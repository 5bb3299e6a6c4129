// The log files a host has: its `logs` globs expanded on the host in one exec, newest first.
import type { RemoteRunner } from '../ssh/remote';
import { shellWord } from '../util/shell';

export const defaultLogGlobs = ['/var/log/**/*.log', '/var/log/syslog'];

export interface LogFileEntry {
  path: string;
  sizeBytes: number;
  /** Milliseconds since the epoch. */
  modifiedMs: number;
  /** Whether the ssh user may read it (tailing an unreadable file fails). */
  readable: boolean;
}

// A glob starting `~/` is under the ssh user's $HOME. A glob with `**` becomes `find BASE -path PATTERN` (find's `*` crosses `/`, which is what `**/`
// means); other globs are expanded by the shell. Every file is stat'ed ("mtime size path", in
// batches through xargs) and only then cut to the newest LIMIT; "U path" marks an unreadable one.
// `${'$'}{` in the script is sh's `${`, which the template would otherwise take for its own.
const listScript = String.raw`LC_ALL=C; export LC_ALL
if stat -L -c %Y / >/dev/null 2>&1; then stats() { xargs -0 stat -L -c '%Y %s %n' -- 2>/dev/null; }
else stats() { xargs -0 stat -L -f '%m %z %N' -- 2>/dev/null; }; fi
for g; do
  case $g in '~/'*) g=$HOME/${'$'}{g#??} ;; esac
  case $g in
  *'**'*)
    base=$(printf '%s\n' "$g" | sed 's|/[^/]*[*?[].*$||'); [ -n "$base" ] || base=/
    pat=$(printf '%s\n' "$g" | sed 's|\*\*/|*|g; s|\*\*|*|g')
    find "$base" -type f -path "$pat" 2>/dev/null ;;
  *) for f in $g; do [ -f "$f" ] && printf '%s\n' "$f"; done ;;
  esac
done | sort -u | tr '\n' '\000' | stats | sort -k1,1nr | head -n "$LIMIT" | while IFS= read -r l; do
  f=${'$'}{l#* * }
  [ -r "$f" ] || printf 'U %s\n' "$f"
  printf 'F %s\n' "$l"
done`;

/** Expands `globs` on the host: files newest first with sizes, at most `limit`. */
export async function listLogFiles(runner: RemoteRunner, globs: string[] = defaultLogGlobs, limit = 500): Promise<LogFileEntry[]> {
  const script = `LIMIT=${limit}\n${listScript}`;
  const result = await runner.exec(`sh -c ${shellWord(script)} firefighter-logs ${globs.map(shellWord).join(' ')}`, { timeoutMs: 30_000 });
  if (result.exitCode !== 0 && result.stdout === '') {
    const why = result.stderr.trim() || `exit code ${result.exitCode}`;
    throw new Error(
      `${runner.host}: could not list the log files matching ${globs.join(', ')} (${why}). Check that the ssh user's shell there runs sh, find and stat, and the host's "logs" globs in .vscode/hosts.json; or type a path to follow.`,
    );
  }
  const unreadable = new Set<string>();
  const entries = new Map<string, LogFileEntry>();
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('U ')) unreadable.add(line.slice(2));
    const m = /^F (\d+) (\d+) (.+)$/.exec(line);
    if (m) entries.set(m[3], { path: m[3], sizeBytes: Number(m[2]), modifiedMs: Number(m[1]) * 1000, readable: true });
  }
  for (const path of unreadable) {
    const entry = entries.get(path);
    if (entry) entry.readable = false;
  }
  return [...entries.values()].sort((a, b) => b.modifiedMs - a.modifiedMs || a.path.localeCompare(b.path));
}
