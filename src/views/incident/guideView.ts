// The Incident panel (view firefighter.guide): a webview view beside the code that renders the
// active incident from its files and turns clicks into journal operations. The files are the
// source of truth: the panel re-renders when they change, whoever changed them (a teammate over
// Live Share, the CLI, git pull), with a slow poll for changes a watcher missed.
import * as vscode from 'vscode';
import type { IncidentJournal } from '../../core/incident/journal';
import { IncidentError } from '../../core/incident/model';
import type { TimelineEntry } from '../../core/incident/timeline';
import { entryText } from '../../core/incident/timelineText';
import type { Incident, Milestone } from '../../core/incident/types';
import type { FromGuide, GuidePerson, ToGuide } from '../../webview/guide/protocol';
import { pageHtml, webviewOptions } from '../webview/page';
import type { DriftActions } from '../hotfix/driftActions';
import { DriftSection } from './driftSection';
import { guideState } from './guideState';
import type { ActiveIncident } from './activeIncident';

/** How often a visible panel re-reads the files in case a change event was missed. */
const POLL_MS = 5_000;

export interface GuideViewOptions {
  extensionUri: vscode.Uri;
  folder: vscode.WorkspaceFolder;
  journal: IncidentJournal;
  active: ActiveIncident;
  /** A Live Share guest's window: it shows the host's incident and adds notes. */
  guest: boolean;
  /** The drift section's actions (the hotfix features'); absent in a guest's window. */
  drift?: DriftActions;
  /** Who is in the Live Share session (src/views/incident/presence.ts). */
  people?: () => GuidePerson[];
  /** The URI of a path under the workspace folder (file: or vsls:). */
  uriOf: (file: string) => vscode.Uri;
  commands: { startIncident(): Thenable<unknown>; writeUp(): Thenable<unknown>; searchPastIncidents(): Thenable<unknown> };
}

export class GuideView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private lastPosted = '';

  private readonly journal: IncidentJournal;
  private readonly active: ActiveIncident;
  private readonly drift: DriftSection;

  constructor(private readonly options: GuideViewOptions) {
    this.journal = options.journal;
    this.drift = new DriftSection(options.drift, () => void this.post());
    const active = (this.active = options.active);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(options.folder, 'incidents/**'));
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.refreshSoon()),
      watcher.onDidChange(() => this.refreshSoon()),
      watcher.onDidDelete(() => this.refreshSoon()),
      active.onDidChange(() => this.refreshSoon()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView, _context?: vscode.WebviewViewResolveContext, _token?: vscode.CancellationToken): void {
    this.view = view;
    view.webview.options = webviewOptions(this.options.extensionUri);
    view.webview.html = pageHtml(view.webview, this.options.extensionUri, {
      title: 'Incident',
      script: 'guide.js',
      styles: ['guide.css'],
      codicons: true,
    });
    this.disposables.push(
      view.webview.onDidReceiveMessage((message: FromGuide) => void this.receive(message)),
      view.onDidChangeVisibility(() => {
        this.schedulePoll();
        if (view.visible) void this.post();
      }),
      view.onDidDispose(() => {
        this.view = undefined;
        this.schedulePoll();
      }),
    );
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    if (this.view?.visible) this.poll = setInterval(() => void this.post(), POLL_MS);
  }

  refreshSoon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.post();
    }, 100);
  }

  /** Reads the files and sends the whole state; unchanged state is not sent again. */
  private async post(force = false): Promise<void> {
    // A hidden panel reads nothing; it is brought up to date when it shows again.
    if (!this.view || (!force && !this.view.visible)) return;
    const state = await this.read();
    const text = JSON.stringify(state);
    if (!force && text === this.lastPosted) return;
    this.lastPosted = text;
    const message: ToGuide = { type: 'state', state };
    await this.view.webview.postMessage(message);
  }

  private async read() {
    const store = this.journal.store;
    const ids = await store.ids().catch(() => [] as string[]);
    const read = new Map<string, Incident>();
    for (const id of ids) {
      const incident = await store.read(id).catch(() => undefined);
      if (incident) read.set(id, incident);
    }
    const incidents = [...read.values()].map(({ id, title, status }) => ({ id, title, status }));
    const id = this.active.id();
    let incident: Incident | null = null;
    let timeline: TimelineEntry[] = [];
    let problem: string | undefined;
    if (id) {
      try {
        incident = read.get(id) ?? (await store.read(id));
        timeline = await store.timeline(id);
      } catch (error) {
        problem = `Could not read incident ${id}: ${(error as Error).message}`;
      }
    }
    return guideState({
      incident,
      timeline,
      incidents,
      guest: this.options.guest,
      drift: this.drift.hosts(),
      presence: this.options.people?.() ?? [],
      problem,
    });
  }

  private async receive(message: FromGuide): Promise<void> {
    const id = this.active.id();
    try {
      switch (message.type) {
        case 'ready':
          return await this.post(true);
        case 'startIncident':
          await this.options.commands.startIncident();
          return;
        case 'writeUp':
          await this.options.commands.writeUp();
          return;
        case 'searchPast':
          await this.options.commands.searchPastIncidents();
          return;
        case 'switchIncident':
          await this.active.set(message.id);
          return;
        case 'checkDrift':
          return await this.drift.check(message.host);
        case 'driftDiff':
          return await this.drift.diff(message.host, message.path);
        case 'driftBring':
          return await this.drift.bring(message.host, message.path);
      }
      if (!id) return;
      switch (message.type) {
        case 'addNote':
          await this.journal.note(id, message.text, message.kind as never);
          break;
        case 'setCheck': {
          const reason = await vscode.window.showInputBox({
            title: `${message.done ? 'Tick' : 'Untick'} "${message.check}" by hand`,
            prompt: 'Why? It goes on the timeline.',
            validateInput: (text) => (text.trim() ? undefined : 'Say why, for the timeline'),
          });
          if (!reason) return;
          await this.journal.setCheckByHand(id, message.step, message.check, message.done, reason.trim());
          break;
        }
        case 'pin':
          await this.journal.pin(id, message.entry, message.pinned);
          break;
        case 'milestone':
          await this.journal.milestone(id, message.milestone as Milestone);
          break;
        case 'openEvidence':
          await this.openEvidence(id, message.entry);
          return;
      }
      await this.post();
    } catch (error) {
      const text = error instanceof IncidentError ? error.message : `Incident panel: ${(error as Error).message}`;
      void vscode.window.showErrorMessage(text);
    }
  }

  private async openEvidence(id: string, entryId: string): Promise<void> {
    const entry = (await this.journal.store.timeline(id)).find((e) => e.id === entryId);
    const evidence = entry && entryText(entry)?.evidence;
    if (!evidence) return;
    const uri = this.options.uriOf(evidence.file.startsWith('/') ? evidence.file : `${this.journal.store.root}/${evidence.file}`);
    const line = Math.max(0, (evidence.line ?? 1) - 1);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), preview: false });
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    if (this.poll) clearInterval(this.poll);
    for (const d of this.disposables) d.dispose();
  }
}
