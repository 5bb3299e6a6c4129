// The messages between the Incident panel (firefighter.guide) and its webview: one typed protocol
// both sides import (docs/architecture.md, "Webviews"). The webview says `ready` first and after a
// reload; the extension answers with the whole state, so nothing depends on retainContextWhenHidden.

export interface GuideCheck {
  id: string;
  title: string;
  done: boolean;
  /** "ticked by log.started at 03:12", "unticked by hand: not load (ana)", or "". */
  how: string;
  /** What to try next while it is open. */
  hint: string;
}

export interface GuideStep {
  id: string;
  title: string;
  /** The first step with an open check. */
  current: boolean;
  checks: GuideCheck[];
}

export interface GuideTimelineItem {
  id: string;
  /** Epoch ms. */
  at: number;
  who?: string;
  host?: string;
  kind: 'event' | 'note' | 'milestone' | 'check' | 'status';
  /** For notes: comment, hypothesis, ruled-out, decision. */
  noteKind?: string;
  /** The event's name, for events. */
  name?: string;
  label: string;
  pinned: boolean;
  /** Set when the item has something to open (an excerpt file, a frame's source line). */
  evidence?: string;
}

export interface GuideLoadSeries {
  host: string;
  /** Load per CPU over time, as the health samples on the timeline saw it. */
  points: { at: number; loadPerCpu: number }[];
}

export interface GuideIncident {
  id: string;
  title: string;
  severity: string;
  status: string;
  createdAt: number;
  commander: string | null;
  hosts: string[];
  milestones: { name: string; at: number | null }[];
  steps: GuideStep[];
  actionItems: { id: string; what: string; type: string; owner: string | null; status: string }[];
}

/** One host's drift: files changed on the box that the repository lacks at the deployed revision. */
export interface GuideDriftHost {
  host: string;
  state: 'unchecked' | 'checking' | 'checked' | 'failed';
  /** "web-1 /srv/app at 1a2b3c4 (…): 2 files differ …", once checked. */
  summary?: string;
  /** Why the check failed. */
  problem?: string;
  truncated?: boolean;
  changes: { path: string; kind: 'modified' | 'added' | 'missing' | 'unchecked' }[];
}

/** Someone in the Live Share session (none without Live Share or outside a session). */
export interface GuidePerson {
  name: string;
  role: 'host' | 'guest' | 'participant';
  you: boolean;
}

export interface GuideState {
  incident: GuideIncident | null;
  /** Every incident in the workspace, newest first, to switch to. */
  incidents: { id: string; title: string; status: string }[];
  timeline: GuideTimelineItem[];
  loads: GuideLoadSeries[];
  /** The hosts with a deploy directory and their last drift check (empty in a guest's window). */
  drift: GuideDriftHost[];
  /** Who is in the Live Share session, this window's user first. */
  presence: GuidePerson[];
  /** A Live Share guest: notes only; nothing runs on a host from here. */
  guest: boolean;
  /** Why the incident could not be read, when it could not. */
  problem?: string;
}

export type ToGuide = { type: 'state'; state: GuideState };

export type FromGuide =
  | { type: 'ready' }
  | { type: 'startIncident' }
  | { type: 'switchIncident'; id: string }
  | { type: 'addNote'; text: string; kind: string }
  | { type: 'setCheck'; step: string; check: string; done: boolean }
  | { type: 'pin'; entry: string; pinned: boolean }
  | { type: 'milestone'; milestone: string }
  | { type: 'writeUp' }
  | { type: 'searchPast' }
  | { type: 'openEvidence'; entry: string }
  | { type: 'checkDrift'; host: string }
  | { type: 'driftDiff'; host: string; path: string }
  | { type: 'driftBring'; host: string; path: string };
