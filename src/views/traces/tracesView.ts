// The Stack Traces view: each analyzed trace (identical ones grouped by fingerprint, with a count),
// its exceptions, and their frames innermost first, application frames before library frames,
// which are dimmed. Each frame says how it maps; Enter or a click opens it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RELATION_LABELS, VIA_LABELS } from '../../core/traces/labels';
import type { StackFrame, StackTrace, TraceException } from '../../core/traces/types';
import { CommandId } from '../commandIds';
import type { FrameResolver, Resolution } from './frameResolver';
import type { FrameTarget } from './frameTarget';
import { stripControl } from '../../core/util/text';

const VIEW_ID = 'firefighter.traces';
const FRAME_SCHEME = 'firefighter-frame';
const MAX_LABEL = 200;

interface TraceGroup {
  id: number;
  trace: StackTrace;
  count: number;
  host: string | undefined;
  /** Per exception, per frame (text order). */
  resolutions: Resolution[][];
}

export type TraceNode =
  | { kind: 'trace'; group: TraceGroup }
  | { kind: 'exception'; group: TraceGroup; exception: number }
  | { kind: 'frame'; group: TraceGroup; exception: number; frame: number };

export interface AnalysisSource {
  /** "the selection", "the clipboard", "pasted text". */
  from: string;
  host: string | undefined;
}

export class TracesView implements vscode.TreeDataProvider<TraceNode>, vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TraceNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<TraceNode>;
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter];
  /** The top-level nodes, kept as objects: reveal() finds nodes by identity. */
  private roots: TraceNode[] = [];
  private nextId = 0;

  constructor() {
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.treeView, vscode.window.registerFileDecorationProvider(this));
  }

  /** Replaces the view's content with these traces, mapped through `resolver`. */
  async show(traces: StackTrace[], resolver: FrameResolver, source: AnalysisSource): Promise<void> {
    const byFingerprint = new Map<string, TraceGroup>();
    for (const trace of traces) {
      const existing = byFingerprint.get(trace.fingerprint);
      if (existing) {
        existing.count++;
        continue;
      }
      const resolutions = await Promise.all(trace.exceptions.map((e) => Promise.all(e.frames.map((f) => resolver.resolve(f)))));
      byFingerprint.set(trace.fingerprint, { id: this.nextId++, trace, count: 1, host: source.host, resolutions });
    }
    this.roots = [...byFingerprint.values()].map((group) => ({ kind: 'trace', group }));
    const distinct = this.roots.length;
    const counted = `${traces.length} trace${traces.length === 1 ? '' : 's'}${distinct < traces.length ? ` (${distinct} distinct)` : ''}`;
    this.treeView.description = `${counted} from ${source.from}${source.host ? ` · ${source.host}` : ''}`;
    this.changeEmitter.fire(undefined);
  }

  /** Shows the view without taking focus from the editor (for the paste box). */
  async reveal(focus: boolean): Promise<void> {
    const first = this.roots[0];
    if (first) await this.treeView.reveal(first, { focus, select: false, expand: true });
  }

  getChildren(node?: TraceNode): TraceNode[] {
    if (!node) return this.roots;
    const { group } = node;
    if (node.kind === 'trace') {
      if (group.trace.exceptions.length === 1) return this.frameNodes(group, 0);
      return group.trace.exceptions.map((_e, exception) => ({ kind: 'exception', group, exception }));
    }
    if (node.kind === 'exception') return this.frameNodes(group, node.exception);
    return [];
  }

  getParent(node: TraceNode): TraceNode | undefined {
    if (node.kind === 'trace') return undefined;
    const root = this.roots.find((r) => r.group === node.group);
    if (node.kind === 'exception' || node.group.trace.exceptions.length === 1) return root;
    return { kind: 'exception', group: node.group, exception: node.exception };
  }

  /** Innermost call first whatever the format prints; application frames before library frames. */
  private frameNodes(group: TraceGroup, exception: number): TraceNode[] {
    const e = group.trace.exceptions[exception];
    const order = e.frames.map((_f, i) => i);
    if (!e.innermostFirst) order.reverse();
    const app = order.filter((i) => e.frames[i].app);
    const library = order.filter((i) => !e.frames[i].app);
    return [...app, ...library].map((frame) => ({ kind: 'frame', group, exception, frame }));
  }

  getTreeItem(node: TraceNode): vscode.TreeItem {
    const { group } = node;
    switch (node.kind) {
      case 'trace': {
        const first = group.trace.exceptions[0];
        const item = new vscode.TreeItem(clean(exceptionTitle(first)), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `trace-${group.id}`;
        item.description = `${group.trace.language}${group.count > 1 ? ` · ×${group.count}` : ''}`;
        item.iconPath = new vscode.ThemeIcon('bug', new vscode.ThemeColor('errorForeground'));
        item.tooltip = new vscode.MarkdownString()
          .appendText(`${group.trace.language} trace, ${countOf(group.trace)}; seen ${group.count} time${group.count === 1 ? '' : 's'}`)
          .appendMarkdown('\n\n')
          .appendText(`fingerprint ${group.trace.fingerprint}`);
        item.accessibilityInformation = {
          label: `${group.trace.language} trace, ${clean(exceptionTitle(first))}, seen ${group.count} times`,
        };
        return item;
      }
      case 'exception': {
        const e = group.trace.exceptions[node.exception];
        const item = new vscode.TreeItem(clean(exceptionTitle(e)), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `trace-${group.id}/${node.exception}`;
        item.description = e.relation ? RELATION_LABELS[e.relation] : undefined;
        item.iconPath = new vscode.ThemeIcon(e.relation === 'goroutine' || e.relation === 'thread' ? 'debug-thread' : 'error');
        item.tooltip = new vscode.MarkdownString().appendText(`${e.type ?? '(no type)'}: ${e.message}`.slice(0, 2000));
        return item;
      }
      case 'frame':
        return this.frameItem(group, node.exception, node.frame);
    }
  }

  private frameItem(group: TraceGroup, exception: number, index: number): vscode.TreeItem {
    const frame = group.trace.exceptions[exception].frames[index];
    const resolution = group.resolutions[exception][index];
    const where = frame.file === null ? '(no file)' : `${baseName(frame.file)}${frame.line !== null ? `:${frame.line}` : ''}`;
    const item = new vscode.TreeItem(clean(frame.function ?? where), vscode.TreeItemCollapsibleState.None);
    item.id = `trace-${group.id}/${exception}/${index}`;
    const status = statusOf(resolution);
    const shownPath = resolution.kind === 'mapped' ? `${vscode.workspace.asRelativePath(resolution.path)}:${resolution.line ?? ''}` : where;
    item.description = `${clean(shownPath)} · ${status.short}`;
    item.iconPath = status.icon;
    // A resource URI lets the decoration provider dim library frames with a theme colour.
    item.resourceUri = vscode.Uri.from({
      scheme: FRAME_SCHEME,
      path: `/${frame.app ? 'app' : 'library'}/${group.id}/${exception}/${index}`,
    });
    item.contextValue = `frame.${resolution.kind}`;
    item.tooltip = frameTooltip(frame, resolution, status.long);
    item.accessibilityInformation = {
      label: `${frame.app ? 'application' : 'library'} frame ${clean(frame.function ?? '')} at ${where}, ${status.long}`,
    };
    if (frame.file !== null) {
      const target: FrameTarget = { file: frame.file, line: frame.line, column: frame.column, function: frame.function, app: frame.app };
      if (group.host !== undefined) target.host = group.host;
      item.command = { command: CommandId.openTraceFrame, title: 'Open Frame', arguments: [target] };
    }
    return item;
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== FRAME_SCHEME || !uri.path.startsWith('/library/')) return undefined;
    return { color: new vscode.ThemeColor('disabledForeground'), tooltip: 'library or runtime code' };
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function statusOf(resolution: Resolution): { short: string; long: string; icon: vscode.ThemeIcon } {
  switch (resolution.kind) {
    case 'mapped':
      return {
        short: VIA_LABELS[resolution.via],
        long: `mapped via ${VIA_LABELS[resolution.via]}`,
        icon: new vscode.ThemeIcon('go-to-file'),
      };
    case 'ambiguous':
      return {
        short: `ambiguous (${resolution.candidates.length})`,
        long: `ambiguous: ${resolution.candidates.length} workspace files match; opening asks which`,
        icon: new vscode.ThemeIcon('question', new vscode.ThemeColor('list.warningForeground')),
      };
    case 'unmapped':
      return {
        short: 'unmapped',
        long: `unmapped: ${resolution.reason}`,
        icon: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
      };
  }
}

function frameTooltip(frame: StackFrame, resolution: Resolution, status: string): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString();
  const position = frame.line === null ? '' : `:${frame.line}${frame.column !== null ? `:${frame.column}` : ''}`;
  tooltip.appendText(`${frame.function ?? '(no function)'}\n\n${frame.file ?? '(no file)'}${position}\n\n`);
  tooltip.appendText(`${frame.app ? 'Application' : 'Library or runtime'} code, ${status}`);
  if (resolution.kind === 'mapped') tooltip.appendText(`\n\n→ ${resolution.path}${resolution.line !== null ? `:${resolution.line}` : ''}`);
  if (resolution.kind === 'ambiguous') tooltip.appendText(`\n\n${resolution.candidates.map((c) => c.relative).join('\n\n')}`);
  return tooltip;
}

function exceptionTitle(e: TraceException): string {
  const message = e.message.split('\n')[0];
  return [e.type, message].filter((part) => part).join(': ') || '(no exception)';
}

function countOf(trace: StackTrace): string {
  const frames = trace.exceptions.reduce((n, e) => n + e.frames.length, 0);
  return `${trace.exceptions.length} exception${trace.exceptions.length === 1 ? '' : 's'}, ${frames} frame${frames === 1 ? '' : 's'}`;
}

function baseName(file: string): string {
  return path.posix.basename(file.replace(/\\/g, '/'));
}

/** Host text in a label: no control characters, bounded length. */
function clean(text: string): string {
  const plain = stripControl(text);
  return plain.length > MAX_LABEL ? `${plain.slice(0, MAX_LABEL - 1)}…` : plain;
}
