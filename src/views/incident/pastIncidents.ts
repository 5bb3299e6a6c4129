// Step 3's "look for similar problems" in VS Code: Search Past Incidents… (words, and the active
// incident's traces), and the "seen before" notice when an analysed trace matches a past incident
// (docs/architecture.md, "Incidents: past incidents").
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IncidentEventMap } from '../../core/events';
import type { IncidentJournal } from '../../core/incident/journal';
import type { SearchHit } from '../../core/incident/search';

export interface PastIncidentsContext {
  journal: IncidentJournal;
  activeIncident: () => string | undefined;
  /** False in a Live Share guest's window: searches are not put on the timeline from there. */
  record: boolean;
  /** An incident file's path as a URI of this window (file: or, for a Live Share guest, vsls:). */
  uriOf: (file: string) => vscode.Uri;
}

/** A past incident's write-up when it has one, else its incident.json. */
async function openPastIncident(context: PastIncidentsContext, id: string): Promise<void> {
  const folder = context.journal.store.folder(id);
  const writeUp = path.join(folder, 'write-up.md');
  const hasWriteUp = await context.journal.store.files.readText(writeUp).then(
    () => true,
    () => false,
  );
  await vscode.window.showTextDocument(context.uriOf(hasWriteUp ? writeUp : path.join(folder, 'incident.json')), { preview: false });
}

function hitItem(hit: SearchHit): vscode.QuickPickItem & { id: string } {
  const { incident } = hit;
  return {
    id: incident.id,
    label: incident.title,
    description: `${incident.id} · ${incident.severity} · ${incident.status}`,
    detail: hit.reasons.join(' · '),
  };
}

/** Search Past Incidents…: by words (optional) and by every trace of the active incident. */
export async function searchPastIncidents(context: PastIncidentsContext): Promise<void> {
  const active = context.activeIncident();
  const traces = active ? (await context.journal.store.read(active).catch(() => undefined))?.traces : undefined;
  const text = await vscode.window.showInputBox({
    title: 'Search Past Incidents',
    prompt: traces?.length
      ? `Words to look for, besides the ${traces.length} stack trace${traces.length === 1 ? '' : 's'} of the active incident (optional)`
      : 'Words to look for in past incidents: titles, notes, write-ups, exceptions',
    placeHolder: 'timeout regex checkout',
  });
  if (text === undefined) return;
  if (!text.trim() && !traces?.length) return;
  let hits: SearchHit[];
  try {
    hits = await context.journal.searchPast(
      { traces, text: text.trim() || undefined, exclude: active },
      context.record ? active : undefined,
    );
  } catch (error) {
    void vscode.window.showErrorMessage(`Could not search the incidents/ folder: ${(error as Error).message}`);
    return;
  }
  if (hits.length === 0) {
    void vscode.window.showInformationMessage(
      `No past incident matches${text.trim() ? ` "${text.trim()}"` : ''}${traces?.length ? ' or the active incident’s traces' : ''}.`,
    );
    return;
  }
  const chosen = await vscode.window.showQuickPick(hits.map(hitItem), {
    title: `Past incidents: ${hits.length} found, closest first`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (chosen) await openPastIncident(context, chosen.id);
}

/** The notice for a trace that a past incident has seen: its closest match, and the others on request. */
export async function showSeenBefore(
  context: PastIncidentsContext,
  trace: IncidentEventMap['trace.analysed'],
  hits: SearchHit[],
): Promise<void> {
  const [best] = hits;
  const what = trace.exception ?? `a ${trace.language} stack trace`;
  const others = hits.length > 1 ? ` and ${hits.length - 1} more` : '';
  const open = 'Open It';
  const all = 'Show All';
  const answer = await vscode.window.showInformationMessage(
    `${what} was seen before in ${best.incident.id} “${best.incident.title}” (${best.reasons[0]})${others}.`,
    open,
    ...(hits.length > 1 ? [all] : []),
  );
  if (answer === open) await openPastIncident(context, best.incident.id);
  if (answer === all) {
    const chosen = await vscode.window.showQuickPick(hits.map(hitItem), { title: `${what}: seen before in ${hits.length} incidents` });
    if (chosen) await openPastIncident(context, chosen.id);
  }
}
