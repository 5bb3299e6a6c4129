// Drift as data: the files a host has against the blobs of the repository at the deployed
// revision (docs/architecture.md, "Hotfixes and drift"). Pure functions, so the rules are unit-tested.
import type { HostFile } from './checksums';

/** One file of the repository at a revision, from `git ls-tree -r -z`. */
export interface RepoFile {
  path: string;
  blob: string;
}

/** modified: both have it, contents differ; added: only the host has it; missing: only the repository has it; unchecked: too large to hash on the host. */
export type DriftKind = 'modified' | 'added' | 'missing' | 'unchecked';

export interface DriftChange {
  path: string;
  kind: DriftKind;
  /** The host's blob id (null when missing on the host or too large to hash). */
  hostBlob: string | null;
  /** The repository's blob id at the revision (null when added on the host). */
  repoBlob: string | null;
  hostBytes: number | null;
}

export const DEFAULT_DRIFT_IGNORE: readonly string[] = ['.git', '*.pyc', '__pycache__'];

/** Parses `git ls-tree -r -z REV`: regular and executable files only (symlinks and submodules are not on a host's disk as files). */
export function parseLsTree(output: string): RepoFile[] {
  const files: RepoFile[] = [];
  for (const record of output.split('\0')) {
    if (record === '') continue;
    const match = /^(\d{6}) (\w+) ([0-9a-f]{40})\t(.+)$/s.exec(record);
    if (!match) throw new Error(`unexpected git ls-tree line: ${JSON.stringify(record.slice(0, 120))}`);
    if (match[2] === 'blob' && (match[1] === '100644' || match[1] === '100755')) files.push({ path: match[4], blob: match[3] });
  }
  return files;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

/** True when any component of `path` matches one of the basename globs (as find's -name -prune does on the host). */
export function makeIgnoreMatcher(patterns: readonly string[]): (path: string) => boolean {
  const globs = patterns.map(globToRegExp);
  return (path) => path.split('/').some((part) => globs.some((glob) => glob.test(part)));
}

/** What differs between the host and the repository, sorted by path; ignored paths are left out on both sides. */
export function compareFiles(host: readonly HostFile[], repo: readonly RepoFile[], ignore: readonly string[]): DriftChange[] {
  const ignored = makeIgnoreMatcher(ignore);
  const repoByPath = new Map(repo.filter((file) => !ignored(file.path)).map((file) => [file.path, file.blob]));
  const changes: DriftChange[] = [];
  const seen = new Set<string>();
  for (const file of host) {
    if (ignored(file.path)) continue;
    seen.add(file.path);
    const repoBlob = repoByPath.get(file.path) ?? null;
    if (repoBlob === null) changes.push({ path: file.path, kind: 'added', hostBlob: file.blob, repoBlob, hostBytes: file.bytes });
    else if (file.blob === null) changes.push({ path: file.path, kind: 'unchecked', hostBlob: null, repoBlob, hostBytes: file.bytes });
    else if (file.blob !== repoBlob)
      changes.push({ path: file.path, kind: 'modified', hostBlob: file.blob, repoBlob, hostBytes: file.bytes });
  }
  for (const [path, blob] of repoByPath) {
    if (!seen.has(path)) changes.push({ path, kind: 'missing', hostBlob: null, repoBlob: blob, hostBytes: null });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
