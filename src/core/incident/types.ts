// The incident as it is stored in `incidents/<id>/incident.json` (docs/architecture.md,
// "Incidents"). The file is the source of truth: the panel and the CLI read and write it, and its
// schema is media/incident.schema.json. Times are ISO 8601 UTC strings so the file reads well in a
// diff; fields may be added, never renamed.

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** In this order only: an incident never goes back to an earlier status. */
export const STATUSES = ['active', 'mitigated', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof STATUSES)[number];

/** In this order: a later milestone is never earlier than one before it. */
export const MILESTONES = ['detected', 'localized', 'mitigated', 'resolved'] as const;
export type Milestone = (typeof MILESTONES)[number];

export type StepId = 'identify' | 'localize' | 'hotfix' | 'write-up';

/** How a check came to be ticked or unticked. */
export type CheckHow =
  /** An event ticked it: its name and the timeline entry that recorded it. */
  | { by: 'event'; event: string; entry: string; at: string }
  /** Someone ticked or unticked it by hand, saying why. */
  | { by: 'hand'; done: boolean; reason: string; who?: string; at: string };

export interface Check {
  id: string;
  title: string;
  done: boolean;
  /** null until something ticked or unticked it. */
  how: CheckHow | null;
}

export interface Step {
  id: StepId;
  title: string;
  checks: Check[];
}

export interface Role {
  /** "commander" is the one the panel and the write-up name; others are free text (scribe, comms…). */
  role: string;
  who: string;
}

export const ACTION_TYPES = ['mitigate', 'prevent', 'process'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];
export type ActionStatus = 'open' | 'done';

export interface ActionItem {
  id: string;
  what: string;
  type: ActionType;
  owner: string | null;
  status: ActionStatus;
}

/** A stack trace seen during the incident, kept so step 3 can find the incident again. */
export interface TraceRecord {
  fingerprint: string;
  language: string;
  /** The first exception's type, when the trace names one. */
  exception: string | null;
  /** `function@file` of the application frames, innermost first, without lines or directories. */
  appFrames: string[];
  firstSeen: string;
}

export interface Incident {
  version: 1;
  /** `<date>-<slug>`, the folder's name. */
  id: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  createdAt: string;
  milestones: Record<Milestone, string | null>;
  roles: Role[];
  hosts: string[];
  steps: Step[];
  actionItems: ActionItem[];
  traces: TraceRecord[];
}
