// Drift of one host (docs/architecture.md, "Hotfixes and drift"): what was changed on the box that
// the repository does not have, at the revision deployed there. One SSH round trip lists the
// host's files as git blob ids; the repository side is `git ls-tree -r` at the deployed commit.
import * as path from 'node:path';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { RemoteRunner } from '../ssh/remote';
import { DeployedRevisions, type RevisionSource } from '../traces/deployed';
import { git, resolveRevision } from '../traces/revision';
import { shellWord } from '../util/shell';
import { checksumScript, DEFAULT_CHECKSUM_LIMITS, NO_DEPLOY_DIR_EXIT, parseChecksums, type ChecksumLimits } from './checksums';
import { compareFiles, DEFAULT_DRIFT_IGNORE, parseLsTree, type DriftChange } from './compare';

/** What drift needs to know about a host (an inventory host has these fields). */
export interface DriftHost extends RevisionSource {
  name: string;
  deployDir?: string;
}

export interface DriftReport {
  host: string;
  deployDir: string;
  /** The revision as the host declares it, and the commit it resolves to locally. */
  revision: string;
  commit: string;
  changes: DriftChange[];
  /** How many files the host listed (after nothing was ignored: the raw count). */
  hostFiles: number;
  ignore: string[];
  /** The host's listing hit its output bound: changes may be missing. */
  truncated: boolean;
}

/** Something the user can act on: it names the host, what happened and what to do next. */
export class DriftError extends Error {}

const LIST_TIMEOUT_MS = 120_000;
const FETCH_TIMEOUT_MS = 60_000;
/** The largest host file shown in a diff or brought into the branch. */
const MAX_HOST_FILE_BYTES = 8 * 1024 * 1024;

/** The host's deployed revision, read as stack-trace links read it (hosts.json `revision` or `revisionCommand`). */
export async function deployedRevisionOf(host: DriftHost, runner: RemoteRunner): Promise<string> {
  const reader = new DeployedRevisions((_name, command) => runner.exec(command, { timeoutMs: LIST_TIMEOUT_MS }));
  const revision = await reader.read(host.name, host);
  if (revision === null) {
    throw new DriftError(
      `${host.name} has no "revision" or "revisionCommand" in .vscode/hosts.json, so its deployed revision is unknown; add one there.`,
    );
  }
  return revision;
}

export interface DriftOptions {
  /** The local git work tree. */
  repo: string;
  runner: RemoteRunner;
  host: DriftHost;
  /** Already read (e.g. shared with the hotfix branch); read from the host when absent. */
  revision?: string;
  ignore?: readonly string[];
  limits?: ChecksumLimits;
}

export async function readDrift(options: DriftOptions): Promise<DriftReport> {
  const { host, runner, repo } = options;
  const deployDir = requireDeployDir(host);
  const ignore = [...(options.ignore ?? DEFAULT_DRIFT_IGNORE)];
  const revision = options.revision ?? (await deployedRevisionOf(host, runner));
  const commit = await resolveRevision(repo, revision);
  if (!commit)
    throw new DriftError(
      `${host.name} runs revision ${revision}, which is not in the repository at ${repo}. Run git fetch --all and try again.`,
    );
  const [listed, tree] = await Promise.all([
    runner.exec('sh -s', {
      stdin: checksumScript(deployDir, ignore, options.limits ?? DEFAULT_CHECKSUM_LIMITS),
      timeoutMs: LIST_TIMEOUT_MS,
    }),
    git(repo, ['ls-tree', '-r', '-z', '--full-tree', commit]),
  ]);
  if (listed.exitCode === NO_DEPLOY_DIR_EXIT) {
    throw new DriftError(
      `${host.name} has no directory ${deployDir} (or it cannot be read). Check "deployDir" for ${host.name} in .vscode/hosts.json.`,
    );
  }
  if (listed.exitCode !== 0) {
    const why = listed.stderr.trim().split('\n')[0] || `exit status ${listed.exitCode ?? listed.signal ?? 'none'}`;
    throw new DriftError(`Listing ${deployDir} on ${host.name} failed: ${why}. The host needs sh, find and sha1sum.`);
  }
  const listing = parseChecksums(listed.stdout);
  return {
    host: host.name,
    deployDir,
    revision,
    commit,
    changes: compareFiles(listing.files, parseLsTree(tree), ignore),
    hostFiles: listing.files.length,
    ignore,
    truncated: listing.truncated,
  };
}

function requireDeployDir(host: DriftHost): string {
  if (!host.deployDir)
    throw new DriftError(`${host.name} has no "deployDir" in .vscode/hosts.json; add the directory the application is deployed to.`);
  return host.deployDir;
}

/** A path from a host listing, checked to stay inside its directory (no absolute path, no `..`). */
function safeRelativePath(file: string): string {
  const parts = file.split('/');
  if (file === '' || file.startsWith('/') || parts.some((part) => part === '..' || part === '' || part === '.')) {
    throw new DriftError(`Refusing the path ${JSON.stringify(file)}: it is not a plain path inside the deploy directory.`);
  }
  return file;
}

/** The host's copy of one file of its deploy directory (one exec, base64 so binary content survives). */
export async function readHostFile(runner: RemoteRunner, host: DriftHost, file: string): Promise<Buffer> {
  const deployDir = requireDeployDir(host);
  const target = shellWord(`${deployDir.replace(/\/+$/, '')}/${safeRelativePath(file)}`);
  const result = await runner.exec(
    `s=$(wc -c < ${target}) || exit 3; [ "$s" -le ${MAX_HOST_FILE_BYTES} ] || { echo "larger than ${MAX_HOST_FILE_BYTES} bytes" >&2; exit 5; }; base64 < ${target}`,
    { timeoutMs: FETCH_TIMEOUT_MS },
  );
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n').pop() || `exit status ${result.exitCode ?? 'none'}`;
    throw new DriftError(`Could not read ${file} in ${deployDir} on ${host.name}: ${why}.`);
  }
  return Buffer.from(result.stdout.replace(/\s+/g, ''), 'base64');
}

/**
 * Writes what the host has for one drifted file into the work tree (the hotfix branch): the host's
 * content for a modified or added file, a deletion for a file missing on the host.
 */
export async function bringIntoWorkTree(
  repo: string,
  change: Pick<DriftChange, 'path' | 'kind'>,
  hostContent: Buffer | null,
): Promise<string> {
  const target = path.join(repo, ...safeRelativePath(change.path).split('/'));
  if (change.kind === 'missing') {
    await rm(target, { force: true });
  } else {
    if (hostContent === null) throw new DriftError(`No content from the host for ${change.path}.`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, hostContent);
  }
  return target;
}
