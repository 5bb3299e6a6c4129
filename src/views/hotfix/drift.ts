// Drift in VS Code: the changed files of a host in a quick pick, each with a diff (the file at the
// deployed revision against the host's copy) and "Bring into the hotfix branch"
// (docs/architecture.md, "Hotfixes and drift").
import * as vscode from 'vscode';
import { currentBranch, incidentOfBranch } from '../../core/hotfix/branch';
import type { DriftChange } from '../../core/hotfix/compare';
import { bringIntoWorkTree, readDrift, readHostFile, type DriftReport } from '../../core/hotfix/drift';
import { driftSummary } from '../../core/hotfix/format';
import type { InventoryHost } from '../../core/hosts/inventory';
import { shortCommit } from '../../core/traces/deployed';
import { stripControl } from '../../core/util/text';
import type { Services } from '../services';
import { revisionUri } from '../traces/revisionDocuments';
import { emptyHostUri, hostFileUri } from './hostDocuments';

const KIND_ICON: Record<DriftChange['kind'], string> = {
  modified: '$(diff-modified)',
  added: '$(diff-added)',
  missing: '$(diff-removed)',
  unchecked: '$(question)',
};
const KIND_TEXT: Record<DriftChange['kind'], string> = {
  modified: 'changed on the host',
  added: 'only on the host',
  missing: 'deleted on the host',
  unchecked: 'too large to compare',
};

/** Compares a host with the repository (one listing over SSH against git ls-tree). */
export function readDriftReport(services: Services, repo: string, host: InventoryHost): Promise<DriftReport> {
  return readDrift({ repo, runner: services.pool.runner(host.name), host, ignore: services.settings.get('driftIgnore') });
}

export async function showDrift(services: Services, repo: string, host: InventoryHost): Promise<void> {
  let report: DriftReport;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Comparing ${host.name} with the repository…` },
      () => readDriftReport(services, repo, host),
    );
  } catch (error) {
    void vscode.window.showErrorMessage((error as Error).message);
    return;
  }
  if (report.changes.length === 0) {
    void vscode.window.showInformationMessage(driftSummary(report));
    return;
  }
  for (;;) {
    const picked = await vscode.window.showQuickPick(
      report.changes.map((change) => ({
        label: `${KIND_ICON[change.kind]} ${stripControl(change.path)}`,
        description: KIND_TEXT[change.kind],
        change,
      })),
      {
        title: driftSummary(report) + (report.truncated ? ' (listing cut at its bound)' : ''),
        placeHolder: 'Choose a file to see its diff or bring it into the hotfix branch',
      },
    );
    if (!picked) return;
    await actOn(services, repo, host, report, picked.change);
  }
}

async function actOn(services: Services, repo: string, host: InventoryHost, report: DriftReport, change: DriftChange): Promise<void> {
  const diff = 'Show diff';
  const bring = change.kind === 'missing' ? 'Delete it in the hotfix branch too' : 'Bring into the hotfix branch';
  const choices = change.kind === 'unchecked' ? [diff] : [diff, bring];
  const choice = await vscode.window.showQuickPick(choices, { title: `${stripControl(change.path)}: ${KIND_TEXT[change.kind]}` });
  if (choice === diff) await openDiff(repo, host, report, change);
  else if (choice === bring) await bringChange(services, repo, host, change);
}

export async function openDiff(repo: string, host: InventoryHost, report: DriftReport, change: DriftChange): Promise<void> {
  const note = `${change.path} as deployed on ${host.name} (${shortCommit(report.commit)})`;
  const deployed =
    change.kind === 'added'
      ? emptyHostUri('not in the repository')
      : revisionUri({ repo, commit: report.commit, file: change.path, host: host.name, note });
  const onHost = change.kind === 'missing' ? emptyHostUri('deleted on the host') : hostFileUri(host.name, report.deployDir, change.path);
  await vscode.commands.executeCommand(
    'vscode.diff',
    deployed,
    onHost,
    `${stripControl(change.path)}: ${shortCommit(report.commit)} ↔ ${host.name}`,
    { preview: true },
  );
}

export async function bringChange(services: Services, repo: string, host: InventoryHost, change: DriftChange): Promise<void> {
  const branch = await currentBranch(repo);
  if (incidentOfBranch(branch) === undefined) {
    void vscode.window.showWarningMessage(
      `${repo} is on ${branch ?? 'a detached HEAD'}, not a hotfix branch. Run "Firefighter: Start Hotfix Branch" first, so the host's change lands on the hotfix.`,
    );
    return;
  }
  try {
    const content = change.kind === 'missing' ? null : await readHostFile(services.pool.runner(host.name), host, change.path);
    const written = await bringIntoWorkTree(repo, change, content);
    if (change.kind !== 'missing') await vscode.window.showTextDocument(vscode.Uri.file(written), { preview: true });
    void vscode.window.showInformationMessage(
      `${stripControl(change.path)} from ${host.name} is in the work tree of ${branch}: review it and commit.`,
    );
  } catch (error) {
    void vscode.window.showErrorMessage((error as Error).message);
  }
}
