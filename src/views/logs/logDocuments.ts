// "Open in editor": a snapshot of a log terminal's buffered lines as a read-only document with
// the `firefighter-log` scheme. Its path ends in `.log`, so it opens in the Log language and the
// trace links for log documents apply. A snapshot is held until its document closes.
import * as vscode from 'vscode';
import { baseName } from './model';

export const LOG_SCHEME = 'firefighter-log';

export interface LogSnapshotSource {
  host: string;
  /** The file followed, or a label such as "3 files" for a merged terminal. */
  file: string;
}

export class LogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly snapshots = new Map<string, string>();
  private readonly sources = new Map<string, LogSnapshotSource>();
  private next = 1;
  private readonly disposables: vscode.Disposable[];

  constructor() {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme !== LOG_SCHEME) return;
        this.snapshots.delete(document.uri.toString());
        this.sources.delete(document.uri.toString());
      }),
    ];
  }

  /** Opens `lines` in an editor, titled after the host and file. */
  async open(source: LogSnapshotSource, lines: readonly string[]): Promise<vscode.TextEditor> {
    const name = baseName(source.file);
    const uri = vscode.Uri.from({
      scheme: LOG_SCHEME,
      path: `/${source.host}/${name.endsWith('.log') ? name : `${name}.log`}`,
      query: `snapshot=${this.next++}`,
    });
    this.snapshots.set(uri.toString(), lines.length > 0 ? `${lines.join('\n')}\n` : '');
    this.sources.set(uri.toString(), source);
    return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  }

  /** Host and file of a snapshot document (a `firefighter-log` uri). */
  sourceOf(uri: vscode.Uri): LogSnapshotSource {
    return this.sources.get(uri.toString()) ?? { host: uri.path.split('/')[1] ?? 'log', file: baseName(uri.path) };
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.snapshots.get(uri.toString()) ??
      'This log snapshot is no longer held. Open it again from its log terminal (press o there, or run "Firefighter: Open Log Buffer in Editor").\n'
    );
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.snapshots.clear();
    this.sources.clear();
  }
}
