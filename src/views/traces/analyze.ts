// "Analyze Stack Trace…": the trace comes from the selection, else the clipboard when it holds one,
// else a paste box (an untitled editor analyzed as you paste). The host it came from, when any
// host declares a revision or has its own path mappings, is asked once.
import * as vscode from 'vscode';
import { findStackTraces } from '../../core/traces/detect';
import type { PathMappingRules } from '../../core/traces/pathMappingRules';
import { publishTraceAnalysed } from '../../core/traces/traceEvents';
import type { StackTrace } from '../../core/traces/types';
import { noEvents } from '../../core/events';
import type { Services } from '../services';
import type { FrameNavigator } from './frameNavigator';
import { hostOfTerminal } from './frameTarget';
import type { TracesView } from './tracesView';

/** Other views (a log view, a snapshot) hand their text and host straight in. */
export interface AnalyzeRequest {
  text: string;
  host?: string;
  /** Where the text came from, e.g. "web-1:/var/log/app.log". */
  from?: string;
}

const PASTE_DEBOUNCE_MS = 300;

export class TraceAnalyzer implements vscode.Disposable {
  private pasteBox: { document: vscode.TextDocument; host: string | undefined | null; watcher: vscode.Disposable } | undefined;
  private pasteTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly services: Services,
    private readonly navigator: FrameNavigator,
    private readonly view: TracesView,
    private readonly mappings: PathMappingRules,
  ) {
    this.disposables.push(
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document === this.pasteBox?.document) this.closePasteBox();
      }),
    );
  }

  async run(request?: AnalyzeRequest): Promise<void> {
    if (typeof request?.text === 'string' && request.text)
      return this.analyze(findStackTraces(request.text), request.from ?? 'the given text', request.host ?? null, true);
    const editor = vscode.window.activeTextEditor;
    const selected = editor?.selections
      .filter((selection) => !selection.isEmpty)
      .map((selection) => editor.document.getText(selection))
      .join('\n');
    if (selected) return this.analyze(findStackTraces(selected), 'the selection', null, true);
    if (editor && editor.document === this.pasteBox?.document)
      return this.analyze(findStackTraces(editor.document.getText()), 'pasted text', this.pasteBox.host, true);
    const clipboard = await vscode.env.clipboard.readText();
    const clipboardTraces = clipboard ? findStackTraces(clipboard) : [];
    if (clipboardTraces.length > 0) return this.analyze(clipboardTraces, 'the clipboard', null, true);
    await this.openPasteBox();
  }

  /** `traces`: those found in the text from `from`. `host`: null when not yet asked. */
  private async analyze(traces: StackTrace[], from: string, host: string | undefined | null, focus: boolean): Promise<void> {
    if (traces.length === 0) {
      const paste = 'Paste a Trace…';
      const choice = await vscode.window.showInformationMessage(`No stack trace found in ${from}.`, paste);
      if (choice === paste) await this.openPasteBox();
      return;
    }
    const source = host === null ? await this.askHost() : host;
    if (this.pasteBox && from === 'pasted text') this.pasteBox.host = source;
    await this.show(traces, from, source, focus);
  }

  private async show(traces: StackTrace[], from: string, host: string | undefined, focus: boolean): Promise<void> {
    const resolver = await this.navigator.resolver(host);
    await this.view.show(traces, resolver, { from, host });
    for (const trace of traces) publishTraceAnalysed(this.services.events ?? noEvents, trace, { host, from });
    if (focus) await vscode.commands.executeCommand('firefighter.traces.focus');
    else await this.view.reveal(false);
  }

  /**
   * The host that printed the trace, when it matters: some host declares its deployed revision or
   * has rules of its own. The active terminal's host is offered first. Escape means no host.
   */
  private async askHost(): Promise<string | undefined> {
    const hosts = this.services.inventory.hosts;
    const hostRules = new Set(this.mappings.rules.map((rule) => rule.host).filter((h) => h !== undefined));
    const matters = (name: string, declares: boolean) => declares || hostRules.has(name);
    const relevant = hosts.filter((h) => matters(h.name, h.revision !== undefined || h.revisionCommand !== undefined));
    if (relevant.length === 0) return undefined;
    const terminal = vscode.window.activeTerminal;
    const terminalHost = terminal
      ? hostOfTerminal(
          [terminal.name],
          hosts.map((h) => h.name),
        )
      : undefined;
    const ordered = [...hosts].sort(
      (a, b) =>
        Number(b.name === terminalHost) - Number(a.name === terminalHost) || Number(relevant.includes(b)) - Number(relevant.includes(a)),
    );
    const none = { label: '$(circle-slash) No host', description: 'map paths only and open working files', host: undefined };
    const picked = await vscode.window.showQuickPick(
      [
        ...ordered.map((h) => ({
          label: h.name,
          description: [h.name === terminalHost ? 'active terminal' : undefined, h.revision ?? h.revisionCommand, ...h.tags]
            .filter(Boolean)
            .join(' · '),
          host: h.name as string | undefined,
        })),
        none,
      ],
      { title: 'Which host printed this trace?', placeHolder: 'Its deployed revision and its path mappings apply to the frames' },
    );
    return picked?.host;
  }

  private async openPasteBox(): Promise<void> {
    if (this.pasteBox) {
      await vscode.window.showTextDocument(this.pasteBox.document);
      return;
    }
    const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: '' });
    await vscode.window.showTextDocument(document);
    const watcher = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document !== document) return;
      clearTimeout(this.pasteTimer);
      this.pasteTimer = setTimeout(() => void this.analyzePasted(document), PASTE_DEBOUNCE_MS);
    });
    this.pasteBox = { document, host: null, watcher };
    void vscode.window.setStatusBarMessage('Paste a stack trace into this editor: the Stack Traces view analyzes it as you paste.', 15_000);
  }

  private async analyzePasted(document: vscode.TextDocument): Promise<void> {
    const box = this.pasteBox;
    if (!box || box.document !== document) return;
    const traces = findStackTraces(document.getText());
    if (traces.length === 0) return;
    if (box.host === null) box.host = await this.askHost();
    await this.show(traces, 'pasted text', box.host, false);
  }

  private closePasteBox(): void {
    clearTimeout(this.pasteTimer);
    this.pasteBox?.watcher.dispose();
    this.pasteBox = undefined;
  }

  dispose(): void {
    this.closePasteBox();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
