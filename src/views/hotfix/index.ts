// Hotfixes and drift in VS Code: the hotfix branch from a host's deployed revision, its
// tests, and what changed on a host that the repository lacks. One registration, one Disposable;
// the commands' code loads from dist/hotfix.js on first use (docs/architecture.md, "Hotfixes and drift").
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HOTFIX_BRANCH_PREFIX } from '../../core/hotfix/branch';
import type { HostNode } from '../../core/hosts/tree';
import { combinedDisposable } from '../../core/util/lifecycle';
import { CommandId, registerCommand } from '../commands';
import { pickHost } from '../hostCommands';
import type { Services } from '../services';
import { loadHotfixFeatures } from './bundle';
import type { DriftActions } from './driftActions';
import type { HotfixFeatures } from './features';

/** The hotfix commands, and the drift actions the Incident panel uses (loading dist/hotfix.js only when one runs). */
export function registerHotfixFeatures(services: Services): vscode.Disposable & { drift: DriftActions } {
  let loaded: HotfixFeatures | undefined;
  // From the Hosts view a command acts on its row's host; from the palette it asks.
  const hostOf = async (node: HostNode | undefined, title: string) =>
    node?.kind === 'host' ? services.inventory.host(node.id) : pickHost(services, title);
  const features = () => (loaded ??= loadHotfixFeatures().createHotfixFeatures(services));
  // A hotfix branch checked out before a reload is watched again; .git/HEAD says so without git or the bundle.
  const resume = setTimeout(() => {
    void hotfixCheckedOut()
      .then((yes) => (yes ? features().resume() : undefined))
      .catch((error: Error) => services.log.warn('Resuming the hotfix watch:', error.message));
  }, 0);
  const drift: DriftActions = {
    hosts: () => services.inventory.hosts.filter((host) => host.deployDir).map((host) => host.name),
    check: (host) => features().drift.check(host),
    openDiff: (host, file) => features().drift.openDiff(host, file),
    bring: (host, file) => features().drift.bring(host, file),
  };
  const registrations = combinedDisposable(
    registerCommand(CommandId.startHotfix, async () => {
      const host = await pickHost(services, 'Start the hotfix from the revision deployed on which host?');
      if (host) await features().startHotfix(host);
    }),
    registerCommand(CommandId.runHotfixTests, () => features().runTests()),
    registerCommand(CommandId.showDrift, async () => {
      const repo = await features().repository();
      if (!repo) return;
      const host = await pickHost(services, 'Compare which host with the repository?');
      if (host) await features().showDrift(repo, host);
    }),
    registerCommand(CommandId.deployHotfix, async (node?: HostNode) => {
      const repo = await features().repository();
      const host = repo ? await hostOf(node, 'Deploy the hotfix branch to which host?') : undefined;
      if (repo && host) await features().deploy(repo, host);
    }),
    registerCommand(CommandId.verifyHotfix, async (node?: HostNode) => {
      const repo = await features().repository();
      const host = repo ? await hostOf(node, 'Verify the fix on which host?') : undefined;
      if (repo && host) await features().verify(repo, host);
    }),
    { dispose: () => clearTimeout(resume) },
    { dispose: () => loaded?.dispose() },
  );
  return { drift, dispose: () => registrations.dispose() };
}

async function hotfixCheckedOut(): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  if (!folder) return false;
  const head = await readFile(path.join(folder.uri.fsPath, '.git', 'HEAD'), 'utf8').catch(() => '');
  return head.startsWith(`ref: refs/heads/${HOTFIX_BRANCH_PREFIX}`);
}
