// Every webview page is built here: a strict Content Security Policy with a fresh nonce, scripts
// and styles only from the extension's own dist/webview and media folders, nothing inline but the
// nonce'd script tag (docs/architecture.md, "Webviews").
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface PageParts {
  title: string;
  /** dist/webview/<name>.js */
  script: string;
  /** media/<name>.css */
  styles: string[];
  /** Loads the codicon font (dist/webview/codicon.css). */
  codicons?: boolean;
}

/** The folders a webview may load from. */
function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
}

export function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, parts: PageParts): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', parts.script));
  const styles = [
    ...(parts.codicons ? [webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'codicon.css'))] : []),
    ...parts.styles.map((name) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', name))),
  ];
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n')}
<title>${escapeHtml(parts.title)}</title>
</head>
<body>
<main id="app"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
