// The host half of drift (docs/architecture.md, "Hotfixes and drift"): one POSIX sh script, sent on
// stdin over one SSH exec, that prints a git blob id for every file under the deploy directory, so
// the answer compares directly with `git ls-tree -r REV` without reading any file content locally.
// It needs only sh, find, wc, cat, sha1sum and head on the host. Output is bounded (`head -c`).
import { shellWord } from '../util/shell';

/** Bounds of one listing: files larger than `maxFileBytes` (or unreadable) are listed unhashed; output stops at `maxOutputBytes`. */
export interface ChecksumLimits {
  maxFileBytes: number;
  maxOutputBytes: number;
}

export const DEFAULT_CHECKSUM_LIMITS: ChecksumLimits = { maxFileBytes: 32 * 1024 * 1024, maxOutputBytes: 8 * 1024 * 1024 };

/** What the host has at one path: its git blob id (null when too large to hash) and size. */
export interface HostFile {
  path: string;
  blob: string | null;
  bytes: number;
}

export interface HostListing {
  files: HostFile[];
  /** The output hit its byte bound before the end marker: the listing is incomplete. */
  truncated: boolean;
}

/** Exit status of the script when the deploy directory cannot be entered. */
export const NO_DEPLOY_DIR_EXIT = 3;
const END_MARKER = '#end';

/** Basename globs (`*`, `?`) as find's `-name` and the local matcher read them. */
function pruneClause(ignore: readonly string[]): string {
  if (ignore.length === 0) return '';
  const names = ignore.map((pattern) => `-name ${shellWord(pattern)}`).join(' -o ');
  return `\\( ${names} \\) -prune -o `;
}

/**
 * The same listing in one Python process (standard library only), used when the host has python3:
 * the sh loop below spawns a few processes per file (363 files: 43 s on a loaded machine).
 * Pruning and bounds match the sh version; a cut listing ends without the end marker.
 */
const PYTHON_LISTER = `
import fnmatch, hashlib, os, sys
max_file, limit, ignore = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
out, written = sys.stdout.buffer, 0
def ignored(name):
    return any(fnmatch.fnmatchcase(name, p) for p in ignore)
def emit(record):
    global written
    if written + len(record) > limit:
        out.flush()
        sys.exit(0)
    out.write(record)
    written += len(record)
for top, dirs, files in os.walk('.'):
    dirs[:] = [d for d in dirs if not ignored(d)]
    for name in files:
        if ignored(name):
            continue
        path = os.path.join(top, name)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        raw, size = os.fsencode(path), 0
        try:
            size = os.path.getsize(path)
            if size > max_file:
                raise OSError('too large')
            digest = hashlib.sha1(b'blob %d\\0' % size)
            with open(path, 'rb') as f:
                for chunk in iter(lambda: f.read(1 << 20), b''):
                    digest.update(chunk)
            emit(b'%s %d %s\\0' % (digest.hexdigest().encode(), size, raw))
        except OSError:
            emit(b'- %d %s\\0' % (size, raw))
emit(b'${END_MARKER}\\0')
`;

/**
 * The script: arguments come inside it (quoted), so it is run as `sh -s` with the text on stdin.
 * Each record is `BLOB SIZE ./PATH` ended by NUL (`-` for BLOB when the file is too large); the
 * last record is `#end`. A git blob id is sha1("blob SIZE\0" + content).
 */
export function checksumScript(
  deployDir: string,
  ignore: readonly string[],
  limits: ChecksumLimits = DEFAULT_CHECKSUM_LIMITS,
  options: { python?: boolean } = {},
): string {
  const hashEach = [
    'max=$1; shift',
    'for f do',
    // An unreadable file is listed unhashed (unchecked), never left out (that would read as deleted).
    '  s=$(wc -c < "$f" 2>/dev/null) || { printf "%s %s %s\\000" - 0 "$f"; continue; }',
    '  s=$((s + 0))',
    '  if [ "$s" -gt "$max" ]; then printf "%s %s %s\\000" - "$s" "$f"; continue; fi',
    '  h=$({ printf "blob %d\\000" "$s"; cat -- "$f"; } | sha1sum)',
    '  printf "%s %s %s\\000" "${h%% *}" "$s" "$f"',
    'done',
  ].join('\n');
  return [
    `cd -- ${shellWord(deployDir)} 2>/dev/null || { echo "cannot enter the deploy directory" >&2; exit ${NO_DEPLOY_DIR_EXIT}; }`,
    ...(options.python === false
      ? []
      : [
          `command -v python3 >/dev/null 2>&1 && exec python3 -c ${shellWord(PYTHON_LISTER)} ${limits.maxFileBytes} ${limits.maxOutputBytes} ${ignore.map(shellWord).join(' ')}`,
        ]),
    'command -v sha1sum >/dev/null 2>&1 || { echo "sha1sum is not installed" >&2; exit 4; }',
    `{ find . ${pruneClause(ignore)}-type f -exec sh -c ${shellWord(hashEach)} sh ${limits.maxFileBytes} {} +; printf '${END_MARKER}\\000'; } | head -c ${limits.maxOutputBytes}`,
    '',
  ].join('\n');
}

/** Parses the script's output; a record cut by the byte bound is dropped and marks the listing truncated. */
export function parseChecksums(output: string): HostListing {
  const records = output.split('\0');
  const files: HostFile[] = [];
  let ended = false;
  // The piece after the last NUL is either empty or a record cut short.
  for (const record of records.slice(0, -1)) {
    if (record === END_MARKER) {
      ended = true;
      break;
    }
    const match = /^([0-9a-f]{40}|-) (\d+) \.\/(.+)$/s.exec(record);
    if (!match) throw new Error(`unexpected line in the host's file list: ${JSON.stringify(record.slice(0, 120))}`);
    files.push({ path: match[3], blob: match[1] === '-' ? null : match[1], bytes: Number(match[2]) });
  }
  return { files, truncated: !ended };
}
