// A sampling profile in an editor tab: the flame graph and the hottest functions; choosing a box
// or a row opens its source line through the same mapping as stack-trace links.
import * as vscode from 'vscode';
import { buildFlameTree, hottestFunctions, type ProfileStack } from '../../core/profile/flame';
import type { FromFlameGraph, ToFlameGraph } from '../../webview/flameGraph/protocol';
import { pageHtml, webviewOptions } from '../webview/page';

export interface ProfileToShow {
  title: string;
  subtitle: string;
  stacks: ProfileStack[];
}

/** Opens a frame's source line (its path is the host's). */
export type FrameOpener = (frame: { function: string; file: string; line: number | null }) => Promise<void>;

export function showFlameGraph(extensionUri: vscode.Uri, profile: ProfileToShow, openFrame: FrameOpener): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(
    'firefighter.flameGraph',
    profile.title,
    vscode.ViewColumn.Active,
    webviewOptions(extensionUri),
  );
  panel.webview.html = pageHtml(panel.webview, extensionUri, { title: profile.title, script: 'flameGraph.js', styles: ['flameGraph.css'] });
  const message: ToFlameGraph = {
    type: 'profile',
    title: profile.title,
    subtitle: profile.subtitle,
    root: buildFlameTree(profile.stacks),
    hottest: hottestFunctions(profile.stacks),
  };
  const subscription = panel.webview.onDidReceiveMessage((received: FromFlameGraph) => {
    if (received.type === 'ready') void panel.webview.postMessage(message);
    else if (received.type === 'openFrame') {
      openFrame(received).catch(
        (error) => void vscode.window.showErrorMessage(`Could not open ${received.file}: ${(error as Error).message}`),
      );
    }
  });
  panel.onDidDispose(() => subscription.dispose());
  return panel;
}
