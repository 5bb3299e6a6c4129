// Hotfixes and drift in VS Code (issue 10): the hotfix branch from a host's deployed revision, its
// tests, and what changed on a host that the repository lacks. One registration, one Disposable
// (docs/architecture.md, "Hotfixes and drift").
import type * as vscode from 'vscode';
import { combinedDisposable } from '../../core/util/lifecycle';
import { CommandId, registerCommand } from '../commands';
import { pickHost } from '../hostCommands';
import type { Services } from '../services';
import { showDrift } from './drift';
import { HostDocuments } from './hostDocuments';
import { HotfixSession } from './session';

export function registerHotfixFeatures(services: Services): vscode.Disposable {
  const session = new HotfixSession(services);
  // A hotfix branch checked out before a reload is watched again, after activation.
  const resume = setTimeout(() => session.resume().catch((error: Error) => services.log.warn('Resuming the hotfix watch:', error.message)), 0);
  return combinedDisposable(
    session,
    new HostDocuments((host) => services.pool.runner(host)),
    registerCommand(CommandId.startHotfix, async () => {
      const host = await pickHost(services, 'Start the hotfix from the revision deployed on which host?');
      if (host) await session.start(host);
    }),
    registerCommand(CommandId.runHotfixTests, () => session.runTests()),
    registerCommand(CommandId.showDrift, async () => {
      const repo = await session.repository();
      if (!repo) return;
      const host = await pickHost(services, 'Compare which host with the repository?');
      if (host) await showDrift(services, repo, host);
    }),
    { dispose: () => clearTimeout(resume) },
  );
}
