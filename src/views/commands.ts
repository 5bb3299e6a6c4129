// Command ids are public (keybindings, walkthroughs and tests use them): one typed list, one
// typed registration, and a test that package.json declares exactly these.
import * as vscode from 'vscode';

export const CommandId = {
  connect: 'firefighter.connect',
  disconnect: 'firefighter.disconnect',
  openTop: 'firefighter.openTop',
  openShell: 'firefighter.openShell',
  copySshCommand: 'firefighter.copySshCommand',
  refreshHosts: 'firefighter.refreshHosts',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export function registerCommand(id: CommandId, handler: (...args: never[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
}
