// Step 3's "move it to production" and "verify": the host's own deployCommand and verifyCommand
// (hosts.json), run over the pooled connection, and what they prove published for the checklist
// (`hotfix.deployed`, `hotfix.verified`). The production guard is the caller's: this file runs what
// it is told (docs/architecture.md, "Hotfixes and drift: deploy and verify").
import { noEvents, type EventPublisher } from '../events';
import type { RemoteRunner } from '../ssh/remote';
import { DeployedRevisions, shortCommit, type RevisionSource } from '../traces/deployed';
import { shellWord } from '../util/shell';
import { HOTFIX_SOURCE } from './branch';
import { HostCommandError, runHostCommand, type HostCommandRun } from '../hosts/hostCommand';

/** What deploy and verify need to know about a host (an inventory host has these fields). */
export interface DeployHost extends RevisionSource {
  name: string;
  deployCommand?: string;
  verifyCommand?: string;
}

/** The hotfix being deployed: its branch and the commit at its tip. */
export interface HotfixRevision {
  branch: string;
  commit: string;
  incident?: string;
}

export interface DeployOptions {
  runner: RemoteRunner;
  host: DeployHost;
  hotfix: HotfixRevision;
  events?: EventPublisher;
  timeoutMs?: number;
}

const DEPLOY_TIMEOUT_MS = 15 * 60_000;
const VERIFY_TIMEOUT_MS = 5 * 60_000;

/**
 * The command line sent to the host: the configured command run by `sh -c`, with the hotfix in
 * its environment (FIREFIGHTER_REVISION, FIREFIGHTER_BRANCH, FIREFIGHTER_HOST). Environment
 * assignments in front of a command work in sh, bash, zsh and fish alike, and need no AcceptEnv.
 */
export function hostCommandLine(command: string, host: string, hotfix: HotfixRevision): string {
  const env = [`FIREFIGHTER_REVISION=${shellWord(hotfix.commit)}`, `FIREFIGHTER_BRANCH=${shellWord(hotfix.branch)}`];
  return `${env.join(' ')} FIREFIGHTER_HOST=${shellWord(host)} sh -c ${shellWord(command)}`;
}

/** Runs the host's deployCommand with the hotfix; publishes `hotfix.deployed` when it exits 0. */
export async function deployHotfix(options: DeployOptions): Promise<HostCommandRun> {
  const { host, hotfix } = options;
  if (!host.deployCommand)
    throw new HostCommandError(
      `${host.name} has no "deployCommand" in .vscode/hosts.json, so Firefighter does not know how to deploy there; add one (it gets $FIREFIGHTER_REVISION and $FIREFIGHTER_BRANCH).`,
    );
  const run = await runHostCommand(options.runner, hostCommandLine(host.deployCommand, host.name, hotfix), {
    timeoutMs: options.timeoutMs ?? DEPLOY_TIMEOUT_MS,
    what: `The deploy of ${hotfix.branch} (${shortCommit(hotfix.commit)})`,
    next: `Read its output, fix the cause on ${host.name} or the "deployCommand" in .vscode/hosts.json, and deploy again.`,
  });
  (options.events ?? noEvents).publish('hotfix.deployed', HOTFIX_SOURCE, {
    host: host.name,
    revision: hotfix.commit,
    command: host.deployCommand,
    branch: hotfix.branch,
    ...(hotfix.incident ? { incident: hotfix.incident } : {}),
  });
  return run;
}

export interface VerifyResult {
  ok: boolean;
  /** What was run or compared, as the timeline says it. */
  how: string;
  /** The verifyCommand's run, when there is one. */
  run?: HostCommandRun;
  /** The revision the host reports, when it declares one. */
  hostRevision?: string;
}

/**
 * Checks the fix on the host: its verifyCommand must exit 0, and the revision the host reports
 * (revisionCommand or revision) must be the hotfix's commit; each is checked when configured, at
 * least one must be. `resolve` turns the host's revision into a commit (git rev-parse in the
 * repository); without it only a full or abbreviated commit id compares. Publishes `hotfix.verified`.
 */
export async function verifyHotfix(
  options: DeployOptions & { resolve?: (revision: string) => Promise<string | null> },
): Promise<VerifyResult> {
  const { host, hotfix, runner } = options;
  const hasRevision = host.revision !== undefined || (host.revisionCommand ?? '').trim() !== '';
  if (!host.verifyCommand && !hasRevision)
    throw new HostCommandError(
      `${host.name} has neither "verifyCommand" nor "revisionCommand" in .vscode/hosts.json, so there is nothing to verify the fix with; add one.`,
    );
  const hows: string[] = [];
  let ok = true;
  let run: HostCommandRun | undefined;
  let hostRevision: string | undefined;
  if (host.verifyCommand) {
    run = await runHostCommand(runner, hostCommandLine(host.verifyCommand, host.name, hotfix), {
      timeoutMs: options.timeoutMs ?? VERIFY_TIMEOUT_MS,
      what: 'The verify command',
      next: '',
      allowFailure: true,
    });
    ok &&= run.exitCode === 0;
    hows.push(`\`${host.verifyCommand}\` ${run.exitCode === 0 ? 'exited 0' : `failed (${run.exitCode ?? run.signal ?? 'no exit code'})`}`);
  }
  if (hasRevision) {
    // Read afresh: a cached revision from before the deploy would prove nothing.
    const reader = new DeployedRevisions((_name, command) => runner.exec(command, { timeoutMs: VERIFY_TIMEOUT_MS }), 0);
    hostRevision = (await reader.read(host.name, host)) ?? undefined;
    const commit = hostRevision ? ((await options.resolve?.(hostRevision)) ?? hostRevision) : undefined;
    const same = commit !== undefined && commit.length >= 7 && hotfix.commit.startsWith(commit);
    ok &&= same;
    hows.push(
      same
        ? `${host.name} runs ${shortCommit(hotfix.commit)}, the tip of ${hotfix.branch}`
        : `${host.name} runs ${hostRevision ?? 'an unknown revision'}, not ${shortCommit(hotfix.commit)} (the tip of ${hotfix.branch})`,
    );
  }
  const how = hows.join('; ');
  (options.events ?? noEvents).publish('hotfix.verified', HOTFIX_SOURCE, { host: host.name, ok, how, revision: hotfix.commit });
  return { ok, how, ...(run ? { run } : {}), ...(hostRevision ? { hostRevision } : {}) };
}
