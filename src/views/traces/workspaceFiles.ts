// The workspace files frames map to: one WorkspaceIndex per workspace folder, filled by
// workspace.findFiles on first use (not at activation) and kept current by a file watcher.
import * as vscode from 'vscode';
import { WorkspaceIndex } from '../../core/traces/workspaceIndex';

const EXCLUDE = '**/{node_modules,.git}/**';
/** A runaway workspace (a home directory) stays bounded. */
const MAX_FILES = 200_000;

interface FolderFiles {
  folder: vscode.WorkspaceFolder;
  files: Set<string>;
  index: WorkspaceIndex | undefined;
}

export class WorkspaceFiles implements vscode.Disposable {
  private loading: Promise<FolderFiles[]> | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => (this.loading = undefined)));
  }

  /** One index per local workspace folder, in folder order. */
  async indexes(): Promise<{ folder: vscode.WorkspaceFolder; index: WorkspaceIndex }[]> {
    this.loading ??= this.load();
    const folders = await this.loading;
    return folders.map((entry) => {
      entry.index ??= new WorkspaceIndex(entry.folder.uri.fsPath, entry.files);
      return { folder: entry.folder, index: entry.index };
    });
  }

  private async load(): Promise<FolderFiles[]> {
    this.watch();
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
    return Promise.all(
      folders.map(async (folder) => {
        const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*'), EXCLUDE, MAX_FILES);
        const files = new Set(uris.map((uri) => vscode.workspace.asRelativePath(uri, false)));
        return { folder, files, index: undefined };
      }),
    );
  }

  private watch(): void {
    if (this.watcher) return;
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      this.watcher,
      this.watcher.onDidCreate((uri) => void this.created(uri)),
      this.watcher.onDidDelete((uri) => void this.deleted(uri)),
    );
  }

  private async entryFor(uri: vscode.Uri): Promise<{ entry: FolderFiles; relative: string } | undefined> {
    if (!this.loading) return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const entry = folder && (await this.loading).find((e) => e.folder.uri.toString() === folder.uri.toString());
    if (!entry) return undefined;
    const relative = vscode.workspace.asRelativePath(uri, false);
    if (/(^|\/)(node_modules|\.git)(\/|$)/.test(relative)) return undefined;
    return { entry, relative };
  }

  private async created(uri: vscode.Uri): Promise<void> {
    const found = await this.entryFor(uri);
    if (!found) return;
    const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
    if (!stat) return;
    if (stat.type & vscode.FileType.Directory) {
      this.loading = undefined; // a whole tree appeared (checkout, unzip): read it again
    } else if (!found.entry.files.has(found.relative)) {
      found.entry.files.add(found.relative);
      found.entry.index = undefined;
    }
  }

  private async deleted(uri: vscode.Uri): Promise<void> {
    const found = await this.entryFor(uri);
    if (!found) return;
    const { entry, relative } = found;
    if (entry.files.delete(relative)) {
      entry.index = undefined; // a known file: it has nothing below it
      return;
    }
    let removedBelow = false;
    for (const file of entry.files) {
      if (file.startsWith(`${relative}/`)) {
        entry.files.delete(file);
        removedBelow = true;
      }
    }
    if (removedBelow) entry.index = undefined;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
