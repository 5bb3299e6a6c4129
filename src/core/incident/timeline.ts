// The incident's timeline: one small JSON file per entry in `incidents/<id>/timeline/`, named
// `<time>-<id>.json` and never rewritten, so two people adding at once never conflict (in git or
// on a shared disk). Its schema is media/timeline-event.schema.json (docs/architecture.md,
// "Incidents").
import type { IncidentStatus, Milestone } from './types';

export const NOTE_KINDS = ['comment', 'hypothesis', 'ruled-out', 'decision'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

interface EntryBase {
  /** Unique in the incident; also the end of the file's name. */
  id: string;
  /** ISO 8601 UTC. */
  at: string;
  /** Who added it by hand, when known. */
  who?: string;
}

/** Something a feature did: an event of the incident stream (src/core/events), redacted. */
export interface EventEntry extends EntryBase {
  type: 'event';
  name: string;
  source: string;
  host?: string;
  /** The event's own fields. */
  data: Record<string, unknown>;
}

export interface NoteEntry extends EntryBase {
  type: 'note';
  kind: NoteKind;
  text: string;
}

export interface MilestoneEntry extends EntryBase {
  type: 'milestone';
  milestone: Milestone;
}

/** A check ticked or unticked by hand (an event's tick is recorded on the check itself). */
export interface CheckEntry extends EntryBase {
  type: 'check';
  step: string;
  check: string;
  done: boolean;
  reason: string;
}

/** Pins or unpins another entry: pinning appends, so it never rewrites the pinned file. */
export interface PinEntry extends EntryBase {
  type: 'pin';
  target: string;
  pinned: boolean;
}

export interface StatusEntry extends EntryBase {
  type: 'status';
  status: IncidentStatus;
}

export type TimelineEntry = EventEntry | NoteEntry | MilestoneEntry | CheckEntry | PinEntry | StatusEntry;

/** An entry not yet written: the store gives it its id. */
export type NewEntry = TimelineEntry extends infer E ? (E extends TimelineEntry ? Omit<E, 'id'> : never) : never;

/** `20261202T144800123Z`: sorts as text in time order. */
export function fileTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:.]/g, '');
}

/** Ids of the entries pinned now: the last pin entry for each target wins. */
export function pinnedIds(entries: readonly TimelineEntry[]): Set<string> {
  const pinned = new Set<string>();
  for (const entry of entries) {
    if (entry.type !== 'pin') continue;
    if (entry.pinned) pinned.add(entry.target);
    else pinned.delete(entry.target);
  }
  return pinned;
}
