// Frames as links: in every terminal (ours, named after their host, and the user's own) and in
// log-like documents (*.log, untitled text, output channels). Providing a link costs one linear
// pass over the line, capped per line by the core; mapping happens only when a link is activated.
import * as vscode from 'vscode';
import { baseName } from '../../core/traces/syntax';
import { findFrameLocations, type LineLocation } from '../../core/traces/lineLinks';
import type { InventoryService } from '../inventoryService';
import { CommandId } from '../commandIds';
import { functionBefore, hostOfTerminal, type FrameTarget } from './frameTarget';

/** Log files can be huge: links stop here, as VS Code's own link detection stops at large files. */
const MAX_DOCUMENT_LINKS = 5000;
const MAX_DOCUMENT_LINES = 200_000;

export const LOG_DOCUMENTS: vscode.DocumentSelector = [
  { language: 'log' },
  { pattern: '**/*.log' },
  { scheme: 'untitled', language: 'plaintext' },
  { scheme: 'output' },
];

function targetOf(text: string, location: LineLocation, host: string | undefined): FrameTarget {
  const target: FrameTarget = {
    file: location.file,
    line: location.line,
    column: location.column,
    function: functionBefore(text, location.start),
    app: true,
  };
  if (host !== undefined) target.host = host;
  return target;
}

function tooltipOf(target: FrameTarget): string {
  return `Open ${baseName(target.file)}${target.line !== null ? ` line ${target.line}` : ''} in the workspace${target.host ? ` (from ${target.host})` : ''}`;
}

class FrameTerminalLink extends vscode.TerminalLink {
  constructor(
    location: LineLocation,
    readonly target: FrameTarget,
  ) {
    super(location.start, location.end - location.start, tooltipOf(target));
  }
}

export class FrameTerminalLinks implements vscode.TerminalLinkProvider<FrameTerminalLink> {
  constructor(
    private readonly inventory: InventoryService,
    /** Opens a frame and reports its own failures (document links use the same command). */
    private readonly openFrame: (target: FrameTarget) => Promise<void>,
  ) {}

  provideTerminalLinks(context: vscode.TerminalLinkContext): FrameTerminalLink[] {
    const locations = findFrameLocations(context.line);
    if (locations.length === 0) return [];
    const terminal = context.terminal;
    const host = hostOfTerminal(
      [terminal.name, (terminal.creationOptions as vscode.TerminalOptions).name],
      this.inventory.hosts.map((h) => h.name),
    );
    return locations.map((location) => new FrameTerminalLink(location, targetOf(context.line, location, host)));
  }

  handleTerminalLink(link: FrameTerminalLink): Promise<void> {
    return this.openFrame(link.target);
  }
}

export class FrameDocumentLinks implements vscode.DocumentLinkProvider {
  provideDocumentLinks(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.DocumentLink[] {
    const links: vscode.DocumentLink[] = [];
    const lines = Math.min(document.lineCount, MAX_DOCUMENT_LINES);
    for (let i = 0; i < lines && links.length < MAX_DOCUMENT_LINKS; i++) {
      if (i % 1000 === 0 && token.isCancellationRequested) return [];
      const text = document.lineAt(i).text;
      for (const location of findFrameLocations(text)) {
        const target = targetOf(text, location, undefined);
        const args = encodeURIComponent(JSON.stringify([target]));
        const link = new vscode.DocumentLink(
          new vscode.Range(i, location.start, i, location.end),
          vscode.Uri.parse(`command:${CommandId.openTraceFrame}?${args}`),
        );
        link.tooltip = tooltipOf(target);
        links.push(link);
      }
    }
    return links;
  }
}
