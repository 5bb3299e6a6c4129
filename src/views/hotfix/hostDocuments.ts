// A host's copy of a deployed file, read-only, under the `firefighter-host` scheme: the right side
// of a drift diff (the left is the file at the deployed revision, traces' `firefighter-rev`).
// The content is fetched over SSH when the editor asks (docs/architecture.md, "Hotfixes and drift").
import * as vscode from 'vscode';
import { readHostFile, type DriftHost } from '../../core/hotfix/drift';
import type { RemoteRunner } from '../../core/ssh/remote';

const HOST_FILE_SCHEME = 'firefighter-host';

export function hostFileUri(host: string, deployDir: string, file: string): vscode.Uri {
  const query = new URLSearchParams({ host, deployDir, file });
  return vscode.Uri.from({ scheme: HOST_FILE_SCHEME, path: `/${host}/${file}`, query: query.toString() });
}

/** An empty side of a diff, for a file only one side has; `why` is its name. */
export function emptyHostUri(why: string): vscode.Uri {
  return vscode.Uri.from({ scheme: HOST_FILE_SCHEME, path: `/(${why})`, query: 'empty=1' });
}

export class HostDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;

  constructor(private readonly runner: (host: string) => RemoteRunner) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(HOST_FILE_SCHEME, this);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const query = new URLSearchParams(uri.query);
    if (query.get('empty') === '1') return '';
    const host: DriftHost = { name: query.get('host') ?? '', deployDir: query.get('deployDir') ?? '' };
    return (await readHostFile(this.runner(host.name), host, query.get('file') ?? '')).toString('utf8');
  }

  dispose(): void {
    this.registration.dispose();
  }
}
