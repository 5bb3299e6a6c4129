// Deploy and verify in VS Code (step 3's last two checks): the tip of the checked-out hotfix
// branch sent to a host's deployCommand, the fix checked with its verifyCommand and revision, each
// through the production guard, with progress, the output shown and an error that says what next.
// The work is the core's (src/core/hotfix/deploy.ts).
import * as vscode from 'vscode';
import { currentBranch, incidentOfBranch } from '../../core/hotfix/branch';
import { deployHotfix, verifyHotfix, type HotfixRevision } from '../../core/hotfix/deploy';
import { HostCommandError } from '../../core/hosts/hostCommand';
import type { InventoryHost } from '../../core/hosts/inventory';
import { shortCommit } from '../../core/traces/deployed';
import { git, resolveRevision } from '../../core/traces/revision';
import { confirmOnHost } from '../guard';
import type { Services } from '../services';

/** The checked-out hotfix branch and its tip, or undefined after telling the user what to do. */
async function checkedOutHotfix(repo: string): Promise<HotfixRevision | undefined> {
  const branch = await currentBranch(repo);
  const incident = incidentOfBranch(branch);
  if (!branch || incident === undefined) {
    void vscode.window.showWarningMessage(
      `${repo} is on ${branch ?? 'a detached HEAD'}, not a hotfix branch: check out the hotfix (Firefighter: Start Hotfix Branch), commit the fix, then deploy its tip.`,
    );
    return undefined;
  }
  const commit = (await git(repo, ['rev-parse', 'HEAD'])).trim();
  return { branch, commit, incident };
}

function tell(services: Services, title: string, error: unknown): void {
  if (error instanceof HostCommandError) {
    if (error.run) services.hostOutput.show(title, error.run);
    void vscode.window.showErrorMessage(error.message);
  } else void vscode.window.showErrorMessage(`${title}: ${(error as Error).message}`);
}

export async function deployToHost(services: Services, repo: string, host: InventoryHost): Promise<void> {
  const hotfix = await checkedOutHotfix(repo);
  if (!hotfix) return;
  const what = `${hotfix.branch} (${shortCommit(hotfix.commit)})`;
  if (!host.deployCommand) {
    void vscode.window.showErrorMessage(
      `${host.name} has no "deployCommand" in .vscode/hosts.json, so Firefighter does not know how to deploy there; add one (it gets $FIREFIGHTER_REVISION and $FIREFIGHTER_BRANCH).`,
    );
    return;
  }
  // The deploy sends the commit: say so when the work tree holds changes it leaves out.
  const uncommitted = (await git(repo, ['status', '--porcelain', '--untracked-files=no'])).trim();
  if (uncommitted) {
    const deployCommit = 'Deploy the Commit';
    const choice = await vscode.window.showWarningMessage(
      `${hotfix.branch} has uncommitted changes in ${repo}: the deploy sends ${shortCommit(hotfix.commit)} without them. Commit them first to deploy them.`,
      { modal: true },
      deployCommit,
    );
    if (choice !== deployCommit) return;
  }
  const answer = await confirmOnHost(services.guard, {
    host,
    action: `deploy ${what}`,
    detail: `Deploying ${what} runs its deployCommand there (${host.deployCommand}): the service changes under live traffic.`,
    allow: 'Deploy',
  });
  if (!answer.allowed) return;
  const title = `Deploy ${what}`;
  try {
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Deploying ${what} to ${host.name}…` },
      () => deployHotfix({ runner: services.pool.runner(host.name), host, hotfix, events: services.events }),
    );
    services.hostOutput.show(title, run);
    const verify = 'Verify Fix on Host…';
    const choice = await vscode.window.showInformationMessage(
      `Deployed ${what} to ${host.name}. Verify the fix there next.`,
      ...(host.verifyCommand || host.revisionCommand || host.revision ? [verify] : []),
    );
    if (choice === verify) await verifyOnHost(services, repo, host);
  } catch (error) {
    tell(services, title, error);
  }
}

export async function verifyOnHost(services: Services, repo: string, host: InventoryHost): Promise<void> {
  const hotfix = await checkedOutHotfix(repo);
  if (!hotfix) return;
  // Reading the host's revision changes nothing; a verifyCommand is the user's and might.
  if (host.verifyCommand) {
    const answer = await confirmOnHost(services.guard, {
      host,
      action: `verify ${hotfix.branch} with its verifyCommand`,
      detail: `Verifying runs its verifyCommand there (${host.verifyCommand}).`,
      allow: 'Verify',
    });
    if (!answer.allowed) return;
  } else {
    // Only a read: asks nothing on any host, but a guest's window still runs nothing on one.
    const read = { host: { name: host.name, production: false }, action: 'read the deployed revision', detail: '', allow: 'Read' };
    if (!(await confirmOnHost(services.guard, read)).allowed) return;
  }
  const title = `Verify ${hotfix.branch}`;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Verifying the fix on ${host.name}…` },
      () =>
        verifyHotfix({
          runner: services.pool.runner(host.name),
          host,
          hotfix,
          events: services.events,
          resolve: (revision) => resolveRevision(repo, revision),
        }),
    );
    if (result.run) services.hostOutput.show(title, result.run);
    if (result.ok) void vscode.window.showInformationMessage(`Verified on ${host.name}: ${result.how}.`);
    else
      void vscode.window.showWarningMessage(
        `Not verified on ${host.name}: ${result.how}. Check the output and the host's health and logs.`,
      );
  } catch (error) {
    tell(services, title, error);
  }
}
