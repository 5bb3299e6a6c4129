// The Live Share extension's API, when that extension is installed: its exports' getApi(), which
// may answer null (signed out, or an API version it does not serve). Absent or failing: null, and
// the panel shows no presence.
import * as vscode from 'vscode';
import type { LiveShareApiLike } from './presence';

const LIVE_SHARE_EXTENSION = 'ms-vsliveshare.vsliveshare';
/** The oldest API version with session, peers and their change events. */
const API_VERSION = '1.0.0';

export async function liveShareApi(callingExtensionId: string): Promise<LiveShareApiLike | null> {
  const extension = vscode.extensions.getExtension<{ getApi?(version: string, caller?: string): unknown }>(LIVE_SHARE_EXTENSION);
  if (!extension) return null;
  try {
    const exports = extension.isActive ? extension.exports : await extension.activate();
    const api = await exports?.getApi?.(API_VERSION, callingExtensionId);
    return (api as LiveShareApiLike | null | undefined) ?? null;
  } catch {
    return null;
  }
}
