// Issue 4 in VS Code: "Tail Log…" opens log terminals (on one host, or on the hosts selected in
// the Hosts view); pause, filter, open in editor and save excerpt work from keys inside a log
// terminal and as commands on the active one. Bundled apart (dist/logs.js) and loaded by the first
// log command; disposing the features closes the terminals and their channels.
import * as vscode from 'vscode';
import type { InventoryHost } from '../../core/hosts/inventory';
import { LogFollower } from '../../core/logs/follower';
import type { Services } from '../services';
import { askLineCount, saveExcerpt } from './excerpt';
import { LOG_SCHEME, type LogDocuments, type LogSnapshotSource } from './logDocuments';
import { LogTerminal, type LogTerminalActions } from './logTerminal';
import { formatFilter, logGroupName, parseFilterText, selectedLines, tailGroups, type LogSource } from './model';
import { LogSession, stopOnDisconnect } from './session';
import { askTailRequest, type TailRequest } from './tailCommand';

/** Set while the active terminal is a log terminal: the log commands show in the palette. */
const ACTIVE_CONTEXT = 'firefighter.logTerminalActive';

class LogTerminals implements vscode.Disposable, LogTerminalActions {
  private readonly terminals = new Map<vscode.Terminal, LogTerminal>();
  private readonly subscription = vscode.window.onDidChangeActiveTerminal(() => this.updateContext());
  private readonly disconnects: vscode.Disposable;

  constructor(
    private readonly services: Services,
    readonly documents: LogDocuments,
  ) {
    this.disconnects = stopOnDisconnect(services.pool.onDidChangeState, () => this.sessions());
  }

  /** Opens the terminals for `request` on every one of `hosts`. */
  open(hosts: readonly InventoryHost[], request: TailRequest): void {
    const groups = tailGroups(
      hosts.map((h) => h.name),
      request.paths,
      request.merged,
    );
    const production = hosts.some((h) => h.production);
    for (const sources of groups) this.openOne(sources, production, request);
  }

  /** The active log terminal; else the only one; else the one the user picks. */
  async choose(): Promise<LogTerminal | undefined> {
    const active = vscode.window.activeTerminal && this.terminals.get(vscode.window.activeTerminal);
    if (active) return active;
    const all = [...this.terminals.values()].filter((t) => t.current);
    if (all.length <= 1) {
      if (all.length === 0)
        void vscode.window.showInformationMessage('No log terminal is open. Run "Firefighter: Tail Log…" to follow a log.');
      return all[0];
    }
    const picked = await vscode.window.showQuickPick(
      all.map((terminal) => ({ label: terminal.name, terminal })),
      { title: 'Which log terminal?' },
    );
    return picked?.terminal;
  }

  async changeFilter(terminal: LogTerminal): Promise<void> {
    const session = terminal.current;
    if (!session) return;
    const text = await vscode.window.showInputBox({
      title: `Filter for ${terminal.name}`,
      prompt:
        'Only lines containing this text (case-sensitive), or /regex/ (/regex/i ignores case). Empty shows every line. Applies from the next line on.',
      value: formatFilter(session.filter),
      validateInput: (value) => {
        const parsed = parseFilterText(value);
        return 'error' in parsed ? parsed.error : undefined;
      },
    });
    const parsed = text === undefined ? undefined : parseFilterText(text);
    if (parsed && 'filter' in parsed) session.setFilter(parsed.filter);
    this.focus(terminal);
  }

  async openInEditor(terminal: LogTerminal): Promise<void> {
    const session = terminal.current;
    if (!session) return;
    const lines = session.lines();
    if (lines.length === 0) {
      void vscode.window.showInformationMessage(`${terminal.name} has shown no lines yet; nothing to open.`);
      return;
    }
    await this.documents.open(sourceOf(terminal), lines);
  }

  async saveExcerpt(terminal: LogTerminal): Promise<void> {
    const session = terminal.current;
    if (!session) return;
    const count = await askLineCount(session.buffer.size);
    if (count === undefined) return this.focus(terminal);
    await saveExcerpt(sourceOf(terminal), session.lines(count), this.services.events);
  }

  dispose(): void {
    this.subscription.dispose();
    this.disconnects.dispose();
    const open = [...this.terminals];
    this.terminals.clear();
    for (const [terminal, pty] of open) {
      pty.close();
      terminal.dispose();
    }
  }

  private openOne(sources: LogSource[], production: boolean, request: TailRequest): void {
    const startLines = this.services.settings.get('tailLines');
    const maxLineBytes = this.services.settings.get('maxLineLength');
    const { pool } = this.services;
    const name = logGroupName(sources);
    const createSession = (write: (text: string) => void) =>
      new LogSession({
        sources,
        filter: request.filter,
        write,
        buffer: { maxLines: Math.max(10_000, startLines * sources.length) },
        createFollower: (path, filter, resumeFrom, host) =>
          new LogFollower({
            host,
            path,
            connect: () => pool.connect(host),
            startLines,
            fromLine: request.fromStart ? 1 : undefined,
            resumeFrom,
            filter,
            maxLineBytes,
            events: this.services.events,
            // The session keeps the lines (in arrival order across files); the follower's own ring stays minimal.
            buffer: { maxLines: 1 },
          }),
      });
    const pty = new LogTerminal(name, createSession, this, () => {
      this.terminals.delete(terminal);
      this.updateContext();
    });
    const terminal = vscode.window.createTerminal({
      name,
      pty,
      iconPath: new vscode.ThemeIcon('output'),
      color: production ? new vscode.ThemeColor('terminal.ansiRed') : undefined,
    });
    this.terminals.set(terminal, pty);
    terminal.show();
    this.updateContext();
  }

  private *sessions(): Iterable<LogSession> {
    for (const terminal of this.terminals.values()) if (terminal.current) yield terminal.current;
  }

  private focus(terminal: LogTerminal): void {
    for (const [t, pty] of this.terminals) if (pty === terminal) t.show();
  }

  private updateContext(): void {
    const active = vscode.window.activeTerminal;
    void vscode.commands.executeCommand('setContext', ACTIVE_CONTEXT, active !== undefined && this.terminals.has(active));
  }
}

function sourceOf(terminal: LogTerminal): LogSnapshotSource {
  const hosts = terminal.current?.hosts ?? [];
  const paths = terminal.current?.paths ?? [];
  const sources = terminal.current?.sources.length ?? 0;
  return {
    host: hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`,
    file: paths.length === 1 ? paths[0] : `${sources} files`,
  };
}

/** What the log commands do; made on the first one (src/views/logs/index.ts registers them). */
export interface LogFeatures extends vscode.Disposable {
  /** Asks which logs to follow on `hosts` (one or more) and opens their terminals. */
  tailLog(hosts: readonly InventoryHost[]): Promise<void>;
  togglePause(): Promise<void>;
  changeFilter(): Promise<void>;
  openInEditor(): Promise<void>;
  saveExcerpt(uri?: vscode.Uri): Promise<void>;
}

/**
 * `documents` is made at activation (a snapshot tab restored by a window reload asks it); the
 * followers' log.* events and log.excerptSaved go to `services.events`.
 */
export function createLogFeatures(services: Services, documents: LogDocuments): LogFeatures {
  const terminals = new LogTerminals(services, documents);
  const { events } = services;
  const onTerminal = (action: (terminal: LogTerminal) => Promise<void> | void) => async () => {
    const terminal = await terminals.choose();
    if (terminal) await action(terminal);
  };

  return {
    tailLog: async (hosts) => {
      const request = await askTailRequest(services, hosts, services.settings.get('tailLines'));
      if (request) terminals.open(hosts, request);
    },
    togglePause: onTerminal((terminal) => terminal.run('togglePause')),
    changeFilter: onTerminal((terminal) => terminals.changeFilter(terminal)),
    openInEditor: onTerminal((terminal) => terminals.openInEditor(terminal)),
    saveExcerpt: async (uri) => {
      // From a log document (its menus pass its uri; from the palette, a selection in it): the
      // selection, or the newest lines of the document. Otherwise the log terminal's newest lines.
      const editor = vscode.window.activeTextEditor;
      const fromDocument = editor?.document.uri.scheme === LOG_SCHEME && (uri?.scheme === LOG_SCHEME || !editor.selection.isEmpty);
      if (!editor || !fromDocument) return onTerminal((terminal) => terminals.saveExcerpt(terminal))();
      const source = documents.sourceOf(editor.document.uri);
      if (!editor.selection.isEmpty) {
        const [first, last] = selectedLines(editor.selection.start, editor.selection.end);
        const lines = editor.document.getText(new vscode.Range(first, 0, last, 0)).split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        return saveExcerpt(source, lines, events);
      }
      const all = editor.document.getText().split('\n');
      if (all[all.length - 1] === '') all.pop();
      const count = await askLineCount(all.length);
      if (count !== undefined) await saveExcerpt(source, all.slice(-count), events);
    },
    dispose: () => terminals.dispose(),
  };
}
