// "Open this frame": map it (asking among candidates, offering to save the choice or to add a
// rule when nothing maps), then show the line, at the host's deployed revision when it has one.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DeployedRevisions,
  describePlan,
  gitFetchAll,
  planRevision,
  type RevisionMode,
  type RevisionPlan,
} from '../../core/traces/deployed';
import { noEvents } from '../../core/events';
import { VIA_LABELS } from '../../core/traces/labels';
import { suggestRule, type PathMappingRule } from '../../core/traces/mapping';
import type { PathMappingRules } from '../../core/traces/pathMappingRules';
import { type OpenedAt, publishFrameOpened } from '../../core/traces/traceEvents';
import type { Services } from '../services';
import { FrameResolver, workspaceFolderRefs, type Candidate } from './frameResolver';
import type { FrameTarget } from './frameTarget';
import { localRootForSettings, ruleForSettings } from './pathMappingSettings';
import { revisionUri } from './revisionDocuments';
import type { WorkspaceFiles } from './workspaceFiles';

const REVISION_TIMEOUT_MS = 10_000;
const STATUS_MESSAGE_MS = 10_000;
const MAPPING_HINT = 'Check that firefighter.pathMappings points this path at the right workspace folder.';

export class FrameNavigator {
  readonly revisions: DeployedRevisions;

  constructor(
    private readonly services: Services,
    private readonly files: WorkspaceFiles,
    private readonly mappings: PathMappingRules,
  ) {
    this.revisions = new DeployedRevisions((host, command) => services.pool.runner(host).exec(command, { timeoutMs: REVISION_TIMEOUT_MS }));
  }

  resolver(host: string | undefined): Promise<FrameResolver> {
    return FrameResolver.create(this.files, this.mappings, host);
  }

  async open(target: FrameTarget): Promise<void> {
    const resolution = await (await this.resolver(target.host)).resolve(target);
    switch (resolution.kind) {
      case 'mapped': {
        const opened = await this.show(resolution.path, resolution.line, resolution.column, target.host, VIA_LABELS[resolution.via]);
        return this.published(target, opened, `${resolution.path} could not be opened`);
      }
      case 'ambiguous': {
        const chosen = await this.pickCandidate(target, resolution.candidates);
        if (!chosen) return this.published(target, null, `${resolution.reason}; no file was chosen`);
        this.published(
          target,
          await this.show(chosen.path, target.line, target.column, target.host, 'your choice'),
          `${chosen.path} could not be opened`,
        );
        return this.offerRule(target, chosen);
      }
      case 'unmapped': {
        this.published(target, null, resolution.reason);
        const add = 'Add Path Mapping…';
        const choice = await vscode.window.showWarningMessage(
          `${target.file}${target.host ? ` (from ${target.host})` : ''} does not map to a workspace file: ${resolution.reason}. Add a path mapping from its directory on the host to a workspace folder.`,
          add,
        );
        if (choice === add && (await this.addRule(target))) await this.open(target);
        return;
      }
    }
  }

  private async pickCandidate(target: FrameTarget, candidates: Candidate[]): Promise<Candidate | undefined> {
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const picked = await vscode.window.showQuickPick(
      candidates.map((candidate) => ({
        label: path.basename(candidate.path),
        description: multiRoot ? `${candidate.folder.name}/${candidate.relative}` : candidate.relative,
        candidate,
      })),
      {
        title: `${target.file}${target.line !== null ? `:${target.line}` : ''} matches ${candidates.length} workspace files`,
        placeHolder: 'Which file printed this frame? You can save the answer as a path mapping.',
        matchOnDescription: true,
      },
    );
    return picked?.candidate;
  }

  private async offerRule(target: FrameTarget, chosen: Candidate): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const folderRef = { name: chosen.folder.name, path: chosen.folder.uri.fsPath };
    const toSettings = (host?: string) =>
      ruleForSettings(suggestRule(target.file, chosen.relative, host), folderRef, folders[0] === chosen.folder);
    const rule = toSettings();
    const forHost = target.host ? `Save for ${target.host}` : undefined;
    const forAll = target.host ? 'Save for All Hosts' : 'Save Path Mapping';
    const choice = await vscode.window.showInformationMessage(
      `Open frames under ${rule.remoteRoot} from ${rule.localRoot} from now on?`,
      ...[forHost, forAll].filter((item): item is string => item !== undefined),
    );
    if (choice === forAll) await saveRule(rule);
    else if (choice !== undefined && choice === forHost) await saveRule(toSettings(target.host));
  }

  /** Asks for a remote root and a local folder; true when a rule was saved. */
  private async addRule(target: FrameTarget): Promise<boolean> {
    const separator = target.file.includes('\\') && !target.file.includes('/') ? '\\' : '/';
    const remoteRoot = await vscode.window.showInputBox({
      title: 'Add Path Mapping (1/2): directory on the host',
      prompt: `The directory${target.host ? ` on ${target.host}` : ''} that corresponds to a workspace folder. The trace printed ${target.file}.`,
      value: target.file.slice(0, Math.max(1, target.file.lastIndexOf(separator))),
      validateInput: (value) => {
        const root = value.trim().replace(/[\\/]+$/, '');
        return root !== '' && target.file.startsWith(root) ? undefined : `Enter a directory that ${target.file} is in`;
      },
    });
    if (remoteRoot === undefined) return false;
    const folders = vscode.workspace.workspaceFolders ?? [];
    const picked = await vscode.window.showOpenDialog({
      title: `Add Path Mapping (2/2): the local folder for ${remoteRoot.trim()}`,
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: folders[0]?.uri,
      openLabel: 'Map Here',
    });
    if (!picked?.[0]) return false;
    const local = picked[0].fsPath;
    const folder = folders.find((f) => local === f.uri.fsPath || local.startsWith(f.uri.fsPath + path.sep));
    const localRoot = folder
      ? localRootForSettings(
          path.relative(folder.uri.fsPath, local) || '.',
          { name: folder.name, path: folder.uri.fsPath },
          folder === folders[0],
        )
      : local;
    const rule: PathMappingRule = { remoteRoot: remoteRoot.trim().replace(/[\\/]+$/, ''), localRoot };
    await saveRule(target.host ? await this.scopeToHost(rule, target.host) : rule);
    return true;
  }

  private async scopeToHost(rule: PathMappingRule, host: string): Promise<PathMappingRule> {
    const only = `Only frames from ${host}`;
    const picked = await vscode.window.showQuickPick([only, 'Frames from every host'], {
      title: 'Which frames does the mapping apply to?',
    });
    return picked === only ? { ...rule, host } : rule;
  }

  /** frame.opened: where the frame was shown, or why it was not. */
  private published(target: FrameTarget, opened: OpenedAt | null, reason: string): void {
    publishFrameOpened(this.services.events ?? noEvents, target, opened, reason);
  }

  /** Opens `file` at the line, at the host's deployed revision when it declares one; null when it could not. */
  async show(file: string, line: number | null, column: number | null, host: string | undefined, via: string): Promise<OpenedAt | null> {
    const plan = host && line !== null ? await this.plan(file, line, host) : undefined;
    const note = plan && host ? describePlan(plan, host) : null;
    if (plan?.kind === 'deployed' && host) {
      const uri = revisionUri({ repo: plan.repo, commit: plan.commit, file: plan.file, host, note: note ?? '' });
      const hint = 'It may not exist at that revision: set firefighter.revisionMode to "head" to open the working file.';
      if (!(await this.showAt(uri, plan.line, column, `${plan.file} at ${plan.commit}`, hint))) return null;
      this.say(note);
      return { file: path.join(plan.repo, ...plan.file.split('/')), line: plan.line, revision: plan.commit };
    }
    if (plan?.kind === 'head') {
      const target = path.join(plan.repo, ...plan.file.split('/'));
      if (!(await this.showAt(vscode.Uri.file(target), plan.line, plan.moved === 'unchanged' ? column : null, target, MAPPING_HINT)))
        return null;
      this.say(note);
      return { file: target, line: plan.line };
    }
    const shown = await this.showAt(vscode.Uri.file(file), line, column, `${file} (mapped by ${via})`, MAPPING_HINT);
    if (shown && plan?.kind === 'unknown-revision' && note) void this.offerFetch(plan, note, file, line, column, host, via);
    return shown ? { file, line: line ?? 1 } : null;
  }

  private async plan(file: string, line: number, host: string): Promise<RevisionPlan | undefined> {
    const source = this.services.inventory.host(host);
    if (!source || (source.revision === undefined && source.revisionCommand === undefined)) return undefined;
    try {
      const revision = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Reading the deployed revision of ${host}…` },
        () => this.revisions.read(host, source),
      );
      if (revision === null) return undefined;
      const mode = vscode.workspace.getConfiguration('firefighter').get<RevisionMode>('revisionMode', 'deployed');
      return await planRevision(file, line, revision, mode === 'head' ? 'head' : 'deployed');
    } catch (error) {
      void vscode.window.showWarningMessage(
        `${(error as Error).message} Showing the working file instead; its line numbers may not match the trace.`,
      );
      return undefined;
    }
  }

  private async offerFetch(
    plan: Extract<RevisionPlan, { kind: 'unknown-revision' }>,
    note: string,
    ...again: Parameters<FrameNavigator['show']>
  ): Promise<void> {
    const fetch = 'Fetch and Retry';
    if ((await vscode.window.showWarningMessage(note, fetch)) !== fetch) return;
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `git fetch --all in ${plan.repo}…` }, () =>
        gitFetchAll(plan.repo),
      );
    } catch (error) {
      void vscode.window.showErrorMessage(`${(error as Error).message}. Check the repository's remotes and your network, then try again.`);
      return;
    }
    await this.show(...again);
  }

  private async showAt(uri: vscode.Uri, line: number | null, column: number | null, what: string, hint: string): Promise<boolean> {
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const lineIndex = Math.min(Math.max(0, (line ?? 1) - 1), document.lineCount - 1);
      const character = Math.min(Math.max(0, (column ?? 1) - 1), document.lineAt(lineIndex).text.length);
      const position = new vscode.Position(lineIndex, character);
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), preview: true });
      return true;
    } catch (error) {
      const settings = 'Open Settings';
      const choice = await vscode.window.showErrorMessage(
        `Could not open ${what}: ${(error as Error).message.replace(/\.$/, '')}. ${hint}`,
        settings,
      );
      if (choice === settings) void vscode.commands.executeCommand('workbench.action.openSettings', 'firefighter.');
      return false;
    }
  }

  private say(note: string | null): void {
    if (note) vscode.window.setStatusBarMessage(`$(git-commit) ${note}`, STATUS_MESSAGE_MS);
  }
}

/** Appends a rule to the workspace's firefighter.pathMappings (user settings without a workspace). */
async function saveRule(rule: PathMappingRule): Promise<void> {
  const config = vscode.workspace.getConfiguration('firefighter');
  const inWorkspace = workspaceFolderRefs().length > 0;
  const inspected = config.inspect<PathMappingRule[]>('pathMappings');
  const current = (inWorkspace ? inspected?.workspaceValue : inspected?.globalValue) ?? [];
  await config.update(
    'pathMappings',
    [...current, rule],
    inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
  );
  void vscode.window.setStatusBarMessage(
    `Saved path mapping ${rule.remoteRoot} → ${rule.localRoot}${rule.host ? ` for ${rule.host}` : ''}`,
    STATUS_MESSAGE_MS,
  );
}
