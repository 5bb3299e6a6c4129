// Files at a host's deployed revision, read-only from git (`git show`), under the
// `firefighter-rev` scheme. The path starts with the host and short commit, so the breadcrumbs
// say which revision this is; a status bar item says it too while such an editor is active.
import * as vscode from 'vscode';
import { shortCommit } from '../../core/traces/deployed';
import { readFileAtRevision } from '../../core/traces/revision';

export const REVISION_SCHEME = 'firefighter-rev';

export interface RevisionFile {
  repo: string;
  commit: string;
  /** Relative to the repository root. */
  file: string;
  host: string;
  /** The sentence the status bar item's tooltip shows. */
  note: string;
}

export function revisionUri(target: RevisionFile): vscode.Uri {
  const query = new URLSearchParams({ repo: target.repo, commit: target.commit, file: target.file, host: target.host, note: target.note });
  return vscode.Uri.from({
    scheme: REVISION_SCHEME,
    path: `/${target.host}@${shortCommit(target.commit)}/${target.file}`,
    query: query.toString(),
  });
}

function parseRevisionUri(uri: vscode.Uri): RevisionFile {
  const query = new URLSearchParams(uri.query);
  const field = (name: string) => query.get(name) ?? '';
  return { repo: field('repo'), commit: field('commit'), file: field('file'), host: field('host'), note: field('note') };
}

export class RevisionDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly statusItem = vscode.window.createStatusBarItem('firefighter.deployedRevision', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.statusItem];

  constructor() {
    this.statusItem.name = 'Firefighter: Deployed Revision';
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(REVISION_SCHEME, this),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.update(editor)),
    );
    this.update(vscode.window.activeTextEditor);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { repo, commit, file } = parseRevisionUri(uri);
    return readFileAtRevision(repo, commit, file);
  }

  private update(editor: vscode.TextEditor | undefined): void {
    if (editor?.document.uri.scheme !== REVISION_SCHEME) {
      this.statusItem.hide();
      return;
    }
    const target = parseRevisionUri(editor.document.uri);
    this.statusItem.text = `$(git-commit) ${target.host} @ ${shortCommit(target.commit)} (read-only)`;
    this.statusItem.tooltip = `${target.note}\n${target.file} as deployed, from git; edit the working file instead.`;
    this.statusItem.show();
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
