// The deployed revision of a host, and where a frame's line is to be read given that revision:
// in the file at the deployed commit (read-only, from git) or moved onto HEAD through the diff.
// Plain Node, shared by the extension and the tests; the host command runs through a callback.
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { commitsBetween, git, moveLineToRevision, resolveRevision, type CommitDistance, type MovedLine } from './revision';

/** `deployed`: the file at the deployed revision, read-only. `head`: the line moved onto HEAD. */
export type RevisionMode = 'deployed' | 'head';

/** What a host declares about its deployed revision (see hosts.json). */
export interface RevisionSource {
  revision?: string;
  revisionCommand?: string;
}

export interface RevisionCommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Something the user can act on: it names the host and says what to do next. */
export class DeployedRevisionError extends Error {}

/** A revision as git accepts it (commit id, tag, branch); null when the text is not one. */
export function parseRevisionOutput(stdout: string): string | null {
  const line = firstLine(stdout);
  if (line === '' || line.length > 200 || line.startsWith('-')) return null;
  return /^[\w./@^~+-]+$/.test(line) ? line : null;
}

/**
 * Reads hosts' deployed revisions: a fixed `revision` as is, a `revisionCommand` run on the host
 * and cached for `ttlMs` (concurrent reads share one run; failures are not cached).
 */
export class DeployedRevisions {
  private readonly cache = new Map<string, { revision: string; at: number }>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly run: (host: string, command: string) => Promise<RevisionCommandResult>,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The host's deployed revision, or null when it declares no way to know it. */
  async read(host: string, source: RevisionSource): Promise<string | null> {
    if (source.revision !== undefined) {
      const fixed = parseRevisionOutput(source.revision);
      if (!fixed)
        throw new DeployedRevisionError(
          `The revision "${source.revision}" given for ${host} in .vscode/hosts.json is not a git revision; fix it there.`,
        );
      return fixed;
    }
    const command = source.revisionCommand;
    if (command === undefined || command.trim() === '') return null;
    const key = `${host}\n${command}`;
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.revision;
    let reading = this.pending.get(key);
    if (!reading) {
      reading = this.runCommand(host, command).finally(() => this.pending.delete(key));
      this.pending.set(key, reading);
    }
    return reading;
  }

  /** Drops cached revisions (all, or one host's), e.g. after a deploy or a fetch. */
  forget(host?: string): void {
    for (const key of [...this.cache.keys()]) if (host === undefined || key.startsWith(`${host}\n`)) this.cache.delete(key);
  }

  private async runCommand(host: string, command: string): Promise<string> {
    let result: RevisionCommandResult;
    try {
      result = await this.run(host, command);
    } catch (error) {
      throw new DeployedRevisionError(`Could not read the deployed revision of ${host} (\`${command}\`): ${(error as Error).message}`);
    }
    if (result.exitCode !== 0) {
      const why = firstLine(result.stderr) || `exit status ${result.exitCode ?? 'none'}`;
      throw new DeployedRevisionError(
        `The revision command of ${host} failed (\`${command}\`: ${why}). Check "revisionCommand" for ${host} in .vscode/hosts.json.`,
      );
    }
    const revision = parseRevisionOutput(result.stdout);
    if (!revision) {
      throw new DeployedRevisionError(
        `The revision command of ${host} (\`${command}\`) printed "${firstLine(result.stdout).slice(0, 80)}", which is not a git revision. Check "revisionCommand" for ${host} in .vscode/hosts.json.`,
      );
    }
    this.cache.set(`${host}\n${command}`, { revision, at: this.now() });
    return revision;
  }
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

/** The top level of the git work tree holding `file`, or null when it is in none. */
export async function gitTopLevel(file: string): Promise<string | null> {
  try {
    return (await git(path.dirname(file), ['rev-parse', '--show-toplevel'])).trim() || null;
  } catch {
    return null;
  }
}

/** Fetches every remote of the repository (what "revision not found" suggests). */
export async function gitFetchAll(repo: string): Promise<void> {
  await git(repo, ['fetch', '--all', '--quiet'], 'fetch --all');
}

export type RevisionPlan =
  /** Not in a git work tree: the working file is all there is. */
  | { kind: 'no-repository' }
  /** The local repository lacks the deployed revision: fetch. */
  | { kind: 'unknown-revision'; repo: string; revision: string }
  /** The deployed commit is HEAD: the working file is right. */
  | { kind: 'at-head'; repo: string; commit: string }
  /** Read `file` (relative to `repo`) at `commit`, at `line`. */
  | { kind: 'deployed'; repo: string; commit: string; file: string; line: number; distance: CommitDistance; deletedAtHead: boolean }
  /** Open `file` (relative to `repo`, its HEAD path) at `line`, moved from the deployed one. */
  | {
      kind: 'head';
      repo: string;
      commit: string;
      file: string;
      fromFile: string;
      fromLine: number;
      line: number;
      moved: MovedLine['kind'];
      distance: CommitDistance;
    };

/**
 * Where to read line `line` of the local file `file` (absolute; its path in the work tree names
 * it at the deployed revision too) for a process running `revision`.
 */
export async function planRevision(file: string, line: number, revision: string, mode: RevisionMode): Promise<RevisionPlan> {
  const real = await realpath(file).catch(() => file);
  const repo = await gitTopLevel(real);
  if (!repo) return { kind: 'no-repository' };
  const [commit, head] = await Promise.all([resolveRevision(repo, revision), resolveRevision(repo, 'HEAD')]);
  if (!commit) return { kind: 'unknown-revision', repo, revision };
  if (commit === head) return { kind: 'at-head', repo, commit };
  const relative = path.relative(repo, real).split(path.sep).join('/');
  const distance = await commitsBetween(repo, commit);
  if (mode === 'head') {
    const moved = await moveLineToRevision(repo, relative, line, commit);
    if (moved.file !== null) {
      return {
        kind: 'head',
        repo,
        commit,
        file: moved.file,
        fromFile: relative,
        fromLine: line,
        line: moved.line,
        moved: moved.kind,
        distance,
      };
    }
    return { kind: 'deployed', repo, commit, file: relative, line, distance, deletedAtHead: true };
  }
  return { kind: 'deployed', repo, commit, file: relative, line, distance, deletedAtHead: false };
}

export function shortCommit(commit: string): string {
  return commit.slice(0, 7);
}

/** "3 commits behind HEAD", "1 commit ahead of HEAD", "2 behind and 1 ahead of HEAD". */
export function describeDistance(distance: CommitDistance): string {
  const commits = (n: number) => `${n} commit${n === 1 ? '' : 's'}`;
  // `ahead`: commits HEAD has that the deployment lacks, i.e. how far the deployment is behind.
  if (distance.ahead > 0 && distance.behind > 0) return `${distance.ahead} behind and ${distance.behind} ahead of HEAD`;
  if (distance.ahead > 0) return `${commits(distance.ahead)} behind HEAD`;
  if (distance.behind > 0) return `${commits(distance.behind)} ahead of HEAD`;
  return 'same as HEAD';
}

/** What the editor shows, in one sentence; null when there is nothing to say (no git, at HEAD). */
export function describePlan(plan: RevisionPlan, host: string): string | null {
  const base = (file: string) => file.slice(file.lastIndexOf('/') + 1);
  switch (plan.kind) {
    case 'no-repository':
    case 'at-head':
      return null;
    case 'unknown-revision':
      return `${host} runs revision ${plan.revision}, which is not in the local repository at ${plan.repo}. Run git fetch --all and try again; the working file may not match the trace.`;
    case 'deployed': {
      const why = plan.deletedAtHead ? `; it no longer exists at HEAD` : '';
      return `Showing ${base(plan.file)} at deployed ${shortCommit(plan.commit)} on ${host} (${describeDistance(plan.distance)})${why}`;
    }
    case 'head': {
      const where = plan.fromFile === plan.file ? `${base(plan.file)}:${plan.fromLine}` : `${plan.fromFile}:${plan.fromLine}`;
      const moved =
        plan.moved === 'changed'
          ? `was changed since; nearest line at HEAD is ${plan.file === plan.fromFile ? '' : `${plan.file}:`}${plan.line}`
          : `is line ${plan.file === plan.fromFile ? '' : `${plan.file}:`}${plan.line} at HEAD`;
      return `${where} at deployed ${shortCommit(plan.commit)} on ${host} ${moved} (${describeDistance(plan.distance)})`;
    }
  }
}
