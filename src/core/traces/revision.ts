// Line numbers in a trace are right only at the revision that was deployed. These helpers read a
// file at that revision from the local git repository, count how far it is from HEAD, and move a
// line from it onto HEAD through the diff hunks.
import { execFile } from 'node:child_process';

const MAX_GIT_OUTPUT = 64 * 1024 * 1024;

export class GitError extends Error {}

/** Runs git in `repo` and resolves its stdout; a failure rejects with a GitError naming `what` (the subcommand by default). */
export function git(repo: string, args: string[], what = args[0]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', repo, ...args], { maxBuffer: MAX_GIT_OUTPUT, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new GitError(`git ${what} failed in ${repo}: ${(stderr || error.message).trim()}`));
      else resolve(stdout);
    });
  });
}

/** The full commit id of `revision`, or null when the local repository does not have it. */
export async function resolveRevision(repo: string, revision: string): Promise<string | null> {
  try {
    return (await git(repo, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])).trim() || null;
  } catch {
    return null;
  }
}

async function requireRevision(repo: string, revision: string): Promise<string> {
  const commit = await resolveRevision(repo, revision);
  if (!commit) {
    throw new GitError(`Revision ${revision} is not in the repository at ${repo}. Fetch it (git fetch --all) and try again.`);
  }
  return commit;
}

/** File content at `revision` (`git show rev:path`); `file` is relative to the repository root. */
export async function readFileAtRevision(repo: string, revision: string, file: string): Promise<string> {
  const commit = await requireRevision(repo, revision);
  return git(repo, ['show', `${commit}:${file.replace(/\\/g, '/').replace(/^\.\//, '')}`]);
}

export interface CommitDistance {
  /** Commits in `to` that `from` lacks (how far the deployment is behind). */
  ahead: number;
  /** Commits in `from` that `to` lacks (e.g. a hotfix made on the host's branch). */
  behind: number;
}

/** How many commits apart two revisions are. */
export async function commitsBetween(repo: string, from: string, to = 'HEAD'): Promise<CommitDistance> {
  const [a, b] = await Promise.all([requireRevision(repo, from), requireRevision(repo, to)]);
  const [behind, ahead] = (await git(repo, ['rev-list', '--left-right', '--count', `${a}...${b}`])).trim().split(/\s+/).map(Number);
  return { ahead, behind };
}

export interface DiffHunk {
  /** First old line of the hunk (for a pure insertion: the line it follows). */
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
}

/** The `@@ -a,b +c,d @@` headers of a unified diff. */
export function parseHunks(diff: string): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  for (const line of diff.split('\n')) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!m) continue;
    hunks.push({
      oldStart: Number(m[1]),
      oldCount: m[2] === undefined ? 1 : Number(m[2]),
      newStart: Number(m[3]),
      newCount: m[4] === undefined ? 1 : Number(m[4]),
    });
  }
  return hunks;
}

export interface MovedLine {
  /** unchanged: nothing above it changed; moved: edits above it (the number may still net out); changed: the line itself was edited or deleted. */
  kind: 'unchanged' | 'moved' | 'changed';
  line: number;
}

/** Moves an old line number through -U0 hunks; an edited line lands on its hunk's nearest new line. */
export function moveLineThroughHunks(hunks: readonly DiffHunk[], line: number): MovedLine {
  let shift = 0;
  let editedBefore = false;
  for (const hunk of hunks) {
    if (hunk.oldCount === 0) {
      // Pure insertion after oldStart.
      if (hunk.oldStart >= line) break;
      shift += hunk.newCount;
      editedBefore = true;
      continue;
    }
    if (line < hunk.oldStart) break;
    if (line < hunk.oldStart + hunk.oldCount) {
      const newLine = hunk.newCount === 0 ? Math.max(1, hunk.newStart) : hunk.newStart + Math.min(line - hunk.oldStart, hunk.newCount - 1);
      return { kind: 'changed', line: newLine };
    }
    shift += hunk.newCount - hunk.oldCount;
    editedBefore = true;
  }
  return { kind: editedBefore ? 'moved' : 'unchanged', line: line + shift };
}

export interface LineAtHead extends MovedLine {
  /** The file's path at `to` (it may have been renamed); null when it was deleted. */
  file: string | null;
}

/**
 * Where line `line` of `file` at the deployed revision `from` is at `to` (HEAD by default),
 * following renames.
 */
export async function moveLineToRevision(repo: string, file: string, line: number, from: string, to = 'HEAD'): Promise<LineAtHead> {
  const [a, b] = await Promise.all([requireRevision(repo, from), requireRevision(repo, to)]);
  const oldPath = file.replace(/\\/g, '/').replace(/^\.\//, '');
  let newPath: string | null = oldPath;
  const status = await git(repo, ['diff', '--no-ext-diff', '--name-status', '-M', a, b]);
  for (const entry of status.split('\n')) {
    const parts = entry.split('\t');
    if (parts[1] !== oldPath) continue;
    if (parts[0] === 'D') return { kind: 'changed', line, file: null };
    if (parts[0].startsWith('R')) newPath = parts[2];
  }
  const diff = await git(repo, ['diff', '--no-ext-diff', '--no-color', '-U0', '-M', a, b, '--', oldPath, newPath]);
  return { ...moveLineThroughHunks(parseHunks(diff), line), file: newPath };
}
