// Pure changes to an incident: each takes the incident and returns a new one or throws an
// IncidentError saying what is wrong and what to do. The rules live here so the CLI, the recorder
// and the panel cannot disagree: milestones never go backwards in time, the status only moves
// forward (docs/architecture.md, "Incidents").
import { newSteps } from './steps';
import {
  type ActionItem,
  type CheckHow,
  type Incident,
  type IncidentStatus,
  type Milestone,
  MILESTONES,
  type Severity,
  STATUSES,
  type TraceRecord,
} from './types';

/** A change the incident's rules refuse; the message says why and what to do instead. */
export class IncidentError extends Error {}

export interface NewIncident {
  id: string;
  title: string;
  severity: Severity;
  hosts?: string[];
  commander?: string;
  /** When the problem was detected; defaults to `now`. */
  detectedAt?: string;
}

/** Throws when the spec cannot make an incident; checked before anything is written. */
export function checkNewIncident(spec: Omit<NewIncident, 'id'>, now: string): void {
  if (!spec.title.trim()) throw new IncidentError('an incident needs a title');
  if (spec.detectedAt !== undefined && spec.detectedAt > now)
    throw new IncidentError(`detected at ${spec.detectedAt} is in the future (now is ${now})`);
}

export function newIncident(spec: NewIncident, now: string): Incident {
  checkNewIncident(spec, now);
  const title = spec.title.trim();
  const detected = spec.detectedAt ?? now;
  const roles: Incident['roles'] = spec.commander ? [{ role: 'commander', who: spec.commander }] : [];
  return {
    version: 1,
    id: spec.id,
    title,
    severity: spec.severity,
    status: 'active',
    createdAt: now,
    milestones: { detected, localized: null, mitigated: null, resolved: null },
    roles,
    hosts: [...new Set(spec.hosts ?? [])],
    steps: newSteps(),
    actionItems: [],
    traces: [],
  };
}

/** The status a milestone moves the incident to, if any. */
const STATUS_OF_MILESTONE: Partial<Record<Milestone, IncidentStatus>> = { mitigated: 'mitigated', resolved: 'resolved' };

/**
 * Sets a milestone. It is refused when already set, or when its time is before an earlier
 * milestone's or after a later one's. Mitigated and resolved move the status forward.
 */
export function setMilestone(incident: Incident, milestone: Milestone, at: string): Incident {
  const current = incident.milestones[milestone];
  if (current !== null) throw new IncidentError(`${incident.id} was already ${milestone} at ${current}`);
  const index = MILESTONES.indexOf(milestone);
  for (const [i, other] of MILESTONES.entries()) {
    const time = incident.milestones[other];
    if (time === null) continue;
    if (i < index && at < time)
      throw new IncidentError(`${milestone} at ${at} would be before ${other} at ${time}: milestones cannot go backwards`);
    if (i > index && at > time)
      throw new IncidentError(`${milestone} at ${at} would be after ${other} at ${time}: milestones cannot go backwards`);
  }
  const milestones = { ...incident.milestones, [milestone]: at };
  const status = STATUS_OF_MILESTONE[milestone];
  return { ...incident, milestones, status: status && isLater(status, incident.status) ? status : incident.status };
}

/** Closes a resolved incident. */
export function closeIncident(incident: Incident): Incident {
  if (incident.status !== 'resolved')
    throw new IncidentError(`${incident.id} is ${incident.status}: set the resolved milestone before closing it`);
  return { ...incident, status: 'closed' };
}

function isLater(a: IncidentStatus, b: IncidentStatus): boolean {
  return STATUSES.indexOf(a) > STATUSES.indexOf(b);
}

function findCheck(incident: Incident, stepId: string, checkId: string): void {
  const step = incident.steps.find((s) => s.id === stepId);
  if (!step?.checks.some((c) => c.id === checkId)) throw new IncidentError(`${incident.id} has no check "${stepId}/${checkId}"`);
}

/** Records how a check was ticked or unticked. */
export function setCheck(incident: Incident, stepId: string, checkId: string, how: CheckHow): Incident {
  findCheck(incident, stepId, checkId);
  if (how.by === 'hand' && !how.reason.trim()) throw new IncidentError('ticking or unticking a check by hand needs a reason');
  const done = how.by === 'event' ? true : how.done;
  return {
    ...incident,
    steps: incident.steps.map((step) =>
      step.id !== stepId ? step : { ...step, checks: step.checks.map((check) => (check.id === checkId ? { ...check, done, how } : check)) },
    ),
  };
}

/**
 * Whether an event may tick the check: not when it is done already (the first event is the
 * evidence), and not when someone unticked it by hand (a person's word beats an event).
 */
export function eventMayTick(incident: Incident, stepId: string, checkId: string): boolean {
  const check = incident.steps.find((s) => s.id === stepId)?.checks.find((c) => c.id === checkId);
  return check !== undefined && !check.done && !(check.how?.by === 'hand' && !check.how.done);
}

/** The first step with an open check: the one the panel shows as current (undefined when all are done). */
export function currentStep(incident: Incident): string | undefined {
  return incident.steps.find((step) => step.checks.some((check) => !check.done))?.id;
}

export function addHost(incident: Incident, host: string): Incident {
  return incident.hosts.includes(host) ? incident : { ...incident, hosts: [...incident.hosts, host] };
}

/** Adds the trace unless one with its fingerprint is there already. */
export function addTrace(incident: Incident, trace: TraceRecord): Incident {
  if (incident.traces.some((t) => t.fingerprint === trace.fingerprint)) return incident;
  return { ...incident, traces: [...incident.traces, trace] };
}

export function addActionItem(incident: Incident, item: Omit<ActionItem, 'id'>): Incident {
  if (!item.what.trim()) throw new IncidentError('an action item needs to say what is to be done');
  const id = `A${incident.actionItems.length + 1}`;
  return { ...incident, actionItems: [...incident.actionItems, { ...item, id }] };
}
