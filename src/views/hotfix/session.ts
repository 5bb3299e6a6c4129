// The hotfix of the workspace's repository in VS Code: start the branch from a host's deployed
// revision, watch its commits and merge, run its tests in a task (docs/architecture.md,
// "Hotfixes and drift"). The git work is the core's (src/core/hotfix); this file asks and tells.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { currentBranch, HOTFIX_SOURCE, HotfixError, incidentOfBranch, startHotfix } from '../../core/hotfix/branch';
import { deployedRevisionOf, DriftError } from '../../core/hotfix/drift';
import { HotfixWatcher } from '../../core/hotfix/watcher';
import type { InventoryHost } from '../../core/hosts/inventory';
import { git } from '../../core/traces/revision';
import { systemClock } from '../../core/util/clock';
import { shortCommit } from '../../core/traces/deployed';
import type { Services } from '../services';

export class HotfixSession implements vscode.Disposable {
  private watcher: HotfixWatcher | undefined;

  constructor(private readonly services: Services) {}

  /** The git work tree of the first local workspace folder, or undefined (told to the user). */
  async repository(): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (folder) {
      try {
        return (await git(folder.uri.fsPath, ['rev-parse', '--show-toplevel'])).trim();
      } catch {
        // told below
      }
    }
    void vscode.window.showErrorMessage(
      'Open the git repository of the deployed code as the workspace folder first: the hotfix branch and drift work on it.',
    );
    return undefined;
  }

  async start(host: InventoryHost): Promise<void> {
    const repo = await this.repository();
    if (!repo) return;
    const incident = await vscode.window.showInputBox({
      title: 'Start Hotfix Branch',
      prompt: 'The incident this hotfix is for: the branch is hotfix/<incident>',
      value: await newestIncident(repo),
      validateInput: (value) =>
        /^[\w.-]+$/.test(value) && !value.includes('..') ? undefined : 'Use letters, digits, dots, dashes and underscores.',
    });
    if (!incident) return;
    try {
      const revision = await deployedRevisionOf(host, this.services.pool.runner(host.name));
      const started = await startHotfix({ repo, incident, revision, host: host.name, events: this.services.events });
      this.watch(repo, incident, started.branch, started.commit, started.previousBranch);
      void vscode.window.showInformationMessage(
        started.created
          ? `Created ${started.branch} at ${shortCommit(started.commit)}, the revision ${host.name} runs, and checked it out. Commits, test runs and its merge into ${started.previousBranch ?? 'your branch'} go on the incident.`
          : `Checked out the existing ${started.branch}.`,
      );
    } catch (error) {
      if (error instanceof HotfixError || error instanceof DriftError) void vscode.window.showErrorMessage(error.message);
      else void vscode.window.showErrorMessage(`Could not start the hotfix from ${host.name}: ${(error as Error).message}`);
    }
  }

  /** After a reload: a checked-out hotfix branch is watched again for commits (its merge target is no longer known). */
  async resume(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (!folder || this.watcher) return;
    const repo = await git(folder.uri.fsPath, ['rev-parse', '--show-toplevel']).then(
      (out) => out.trim(),
      () => undefined,
    );
    const branch = repo ? await currentBranch(repo) : null;
    const incident = incidentOfBranch(branch);
    if (!repo || !branch || incident === undefined) return;
    const tip = (await git(repo, ['rev-parse', 'HEAD'])).trim();
    this.watch(repo, incident, branch, tip, null);
  }

  private watch(repo: string, incident: string, branch: string, from: string, into: string | null): void {
    this.watcher?.dispose();
    const watcher = new HotfixWatcher({
      repo,
      incident,
      branch,
      from,
      into,
      clock: systemClock,
      events: this.services.events,
      onError: (error) => this.services.log.warn(`Watching ${branch}:`, error.message),
    });
    this.watcher = watcher;
    watcher.start().catch((error: Error) => this.services.log.warn(`Watching ${branch}:`, error.message));
  }

  /** Runs the configured test command in a task; its exit code goes on the incident as hotfix.tested. */
  async runTests(): Promise<void> {
    const repo = await this.repository();
    if (!repo) return;
    const command = this.services.settings.get('hotfixTestCommand');
    const branch = await currentBranch(repo);
    const incident = incidentOfBranch(branch);
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(repo)) ?? vscode.TaskScope.Workspace;
    const task = new vscode.Task(
      { type: 'firefighter', kind: 'hotfixTests' },
      folder,
      `Hotfix tests: ${command}`,
      'Firefighter',
      new vscode.ShellExecution(command, { cwd: repo }),
    );
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    const execution = await vscode.tasks.executeTask(task);
    const ended = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution !== execution) return;
      ended.dispose();
      const exitCode = event.exitCode ?? null;
      const passed = exitCode === 0;
      this.services.events.publish('hotfix.tested', HOTFIX_SOURCE, { ...(incident ? { incident } : {}), command, passed, exitCode });
      const where = branch ? ` on ${branch}` : '';
      if (passed) void vscode.window.showInformationMessage(`Hotfix tests passed${where} (${command}).`);
      else
        void vscode.window.showWarningMessage(
          `Hotfix tests failed${where}: ${command} exited with ${exitCode ?? 'no exit code'}. The output is in the task's terminal.`,
        );
    });
  }

  dispose(): void {
    this.watcher?.dispose();
  }
}

/** The newest incident folder (incidents/<date>-<slug>), offered as the default id; not evidence/. */
async function newestIncident(repo: string): Promise<string | undefined> {
  const entries = await readdir(path.join(repo, 'incidents'), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && /^\d{4}-\d\d-\d\d-/.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .pop();
}
