// The hotfix branch of an incident (docs/architecture.md, "Hotfixes and drift"): created from the
// revision deployed on a host, so the fix starts from what runs in production, and checked out
// only over a clean work tree so nothing local is carried into it by accident.
import { noEvents, type EventPublisher } from '../events';
import { git, GitError, resolveRevision } from '../traces/revision';

export const HOTFIX_SOURCE = 'hotfix';

/** Something the user can act on: it says what happened and what to do next. */
export class HotfixError extends Error {}

/** Hotfix branches are `hotfix/<incident>`. */
export const HOTFIX_BRANCH_PREFIX = 'hotfix/';

export function hotfixBranchName(incident: string): string {
  return `${HOTFIX_BRANCH_PREFIX}${incident}`;
}

/** The incident a hotfix branch is for, or undefined for any other branch. */
export function incidentOfBranch(branch: string | null | undefined): string | undefined {
  return branch?.startsWith(HOTFIX_BRANCH_PREFIX) ? branch.slice(HOTFIX_BRANCH_PREFIX.length) : undefined;
}

/** Tracked files with uncommitted changes (staged or not); untracked files do not block a checkout. */
async function uncommittedFiles(repo: string): Promise<string[]> {
  const status = await git(repo, ['status', '--porcelain', '-z', '--untracked-files=no']);
  return status
    .split('\0')
    .filter((entry) => /^[ MADRCU?!]{2} /.test(entry))
    .map((entry) => entry.slice(3));
}

export async function currentBranch(repo: string): Promise<string | null> {
  try {
    return (await git(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).trim() || null;
  } catch {
    return null;
  }
}

export interface StartHotfixOptions {
  repo: string;
  incident: string;
  /** The deployed revision (commit, tag or branch) as the host declares it. */
  revision: string;
  /** The host it was read from, for the messages. */
  host?: string;
  events?: EventPublisher;
}

export interface StartedHotfix {
  branch: string;
  commit: string;
  /** False when the branch already existed and was only checked out. */
  created: boolean;
  /** The branch checked out before (where the fix is to be merged), or null from a detached HEAD. */
  previousBranch: string | null;
}

/** Creates `hotfix/<incident>` at the deployed commit and checks it out; publishes `hotfix.branchCreated`. */
export async function startHotfix(options: StartHotfixOptions): Promise<StartedHotfix> {
  const { repo, incident, revision } = options;
  const branch = hotfixBranchName(incident);
  try {
    await git(repo, ['check-ref-format', '--branch', branch]);
  } catch {
    throw new HotfixError(`"${incident}" cannot be part of a git branch name (${branch}); use letters, digits and dashes.`);
  }
  const dirty = await uncommittedFiles(repo);
  if (dirty.length > 0) {
    const listed = dirty.slice(0, 3).join(', ') + (dirty.length > 3 ? ` and ${dirty.length - 3} more` : '');
    throw new HotfixError(
      `The working tree at ${repo} has uncommitted changes (${listed}); commit or stash them, then start the hotfix again.`,
    );
  }
  const commit = await resolveRevision(repo, revision);
  if (!commit) {
    const where = options.host ? `${options.host} runs revision ${revision}, which` : `Revision ${revision}`;
    throw new HotfixError(`${where} is not in the repository at ${repo}. Run git fetch --all and start the hotfix again.`);
  }
  const previousBranch = await currentBranch(repo);
  const existing = await resolveRevision(repo, `refs/heads/${branch}`);
  try {
    if (existing) await git(repo, ['checkout', '-q', branch], 'checkout');
    else await git(repo, ['checkout', '-q', '-b', branch, commit], 'checkout -b');
  } catch (error) {
    if (error instanceof GitError) throw new HotfixError(`Could not check out ${branch} in ${repo}: ${error.message}`);
    throw error;
  }
  if (!existing) (options.events ?? noEvents).publish('hotfix.branchCreated', HOTFIX_SOURCE, { incident, branch, fromRevision: commit });
  return { branch, commit: existing ?? commit, created: !existing, previousBranch };
}
