// One typed registration for the public command ids.
import * as vscode from 'vscode';
import type { CommandId } from './commandIds';

export { CommandId } from './commandIds';

export function registerCommand(id: CommandId, handler: (...args: never[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
}
