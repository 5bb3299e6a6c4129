// The production guard's VS Code half: its question is a modal warning, a refusal (a Live Share
// guest's window) is an error message. The rule itself is src/core/guard/productionGuard.ts.
import { userInfo } from 'node:os';
import * as vscode from 'vscode';
import type { EventPublisher } from '../core/events';
import { ProductionGuard, type GuardAnswer, type GuardRequest } from '../core/guard/productionGuard';

/** A Live Share guest's window: its workspace is the host's, on the vsls: scheme. */
export function isGuestWindow(): boolean {
  return vscode.workspace.workspaceFolders?.some((folder) => folder.uri.scheme === 'vsls') ?? false;
}

export function createProductionGuard(events: EventPublisher): ProductionGuard {
  return new ProductionGuard({
    ask: async ({ message, answers }) => vscode.window.showWarningMessage(message, { modal: true }, ...answers),
    events,
    who: userInfo().username,
    guest: isGuestWindow,
  });
}

/** Asks the guard; a refusal without a question is told to the user. */
export async function confirmOnHost(guard: ProductionGuard, request: GuardRequest): Promise<GuardAnswer> {
  const answer = await guard.confirm(request);
  if (answer.refused) void vscode.window.showErrorMessage(answer.refused);
  return answer;
}
