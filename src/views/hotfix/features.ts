// What the hotfix commands do (dist/hotfix.js, built from this file), loaded on the first hotfix
// command or right after activation when a hotfix branch is checked out (./bundle.ts, ./index.ts).
import type * as vscode from 'vscode';
import type { InventoryHost } from '../../core/hosts/inventory';
import { combinedDisposable } from '../../core/util/lifecycle';
import type { Services } from '../services';
import { deployToHost, verifyOnHost } from './deploy';
import { showDrift } from './drift';
import type { DriftActions } from './driftActions';
import { createDriftPanelActions } from './driftPanel';
import { HostDocuments } from './hostDocuments';
import { HotfixSession } from './session';

export interface HotfixFeatures extends vscode.Disposable {
  startHotfix(host: InventoryHost): Promise<void>;
  runTests(): Promise<void>;
  /** The workspace repository, or undefined after telling the user why there is none. */
  repository(): Promise<string | undefined>;
  showDrift(repo: string, host: InventoryHost): Promise<void>;
  deploy(repo: string, host: InventoryHost): Promise<void>;
  verify(repo: string, host: InventoryHost): Promise<void>;
  /** The Incident panel's drift section. */
  drift: DriftActions;
  /** Watches a hotfix branch checked out before a reload again. */
  resume(): Promise<void>;
}

export function createHotfixFeatures(services: Services): HotfixFeatures {
  const session = new HotfixSession(services);
  const disposables = combinedDisposable(session, new HostDocuments((host) => services.pool.runner(host)));
  return {
    startHotfix: (host) => session.start(host),
    runTests: () => session.runTests(),
    repository: () => session.repository(),
    showDrift: (repo, host) => showDrift(services, repo, host),
    deploy: (repo, host) => deployToHost(services, repo, host),
    verify: (repo, host) => verifyOnHost(services, repo, host),
    drift: createDriftPanelActions(services, () => session.repository()),
    resume: () => session.resume(),
    dispose: () => disposables.dispose(),
  };
}
