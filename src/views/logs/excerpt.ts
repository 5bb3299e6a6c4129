// "Save excerpt": log lines into the workspace as incident evidence, under
// incidents/evidence/<host>-<file>-<time>.log. An existing file is never overwritten.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EventPublisher } from '../../core/events';
import { saveExcerptFile } from './excerptFile';
import { EVIDENCE_FOLDER, parseLineCount } from './model';
import type { LogSnapshotSource } from './logDocuments';

/** Asks how many of the newest lines to save; undefined when cancelled. */
export async function askLineCount(held: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Save Log Excerpt',
    prompt: `How many of the newest lines to save (${held.toLocaleString('en-US')} held)`,
    value: String(Math.min(200, Math.max(held, 1))),
    validateInput: (value) => {
      const count = parseLineCount(value);
      return typeof count === 'number' ? undefined : count.error;
    },
  });
  if (text === undefined) return undefined;
  const count = parseLineCount(text);
  return typeof count === 'number' ? count : undefined;
}

/** Writes `lines` as evidence (publishing log.excerptSaved) and offers to open the file. */
export async function saveExcerpt(source: LogSnapshotSource, lines: readonly string[], events: EventPublisher): Promise<void> {
  // The file is created exclusively through the local file system, so the folder must be local.
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  if (!folder) {
    void vscode.window.showErrorMessage(
      `Cannot save the excerpt of ${source.host}:${source.file}: no local folder is open. Open the workspace folder first; excerpts go to ${EVIDENCE_FOLDER} in it.`,
    );
    return;
  }
  let target: vscode.Uri;
  try {
    const dir = path.join(folder.uri.fsPath, ...EVIDENCE_FOLDER.split('/'));
    target = vscode.Uri.file(await saveExcerptFile(dir, source, lines, events));
  } catch (error) {
    void vscode.window.showErrorMessage(
      `Could not save the excerpt of ${source.host}:${source.file} in ${EVIDENCE_FOLDER}: ${(error as Error).message}. Check that the folder is writable.`,
    );
    return;
  }
  const open = 'Open';
  const choice = await vscode.window.showInformationMessage(
    `Saved ${lines.length.toLocaleString('en-US')} line${lines.length === 1 ? '' : 's'} of ${source.host}:${source.file} to ${vscode.workspace.asRelativePath(target)}.`,
    open,
  );
  if (choice === open) await vscode.window.showTextDocument(target);
}
