// What the Incident panel shows, built from the incident's files: the checklist with how each
// check was ticked, the timeline as text with its evidence, and each host's load per CPU from the
// health samples on the timeline. No vscode here: unit-tested in plain Node.
import { currentStep } from '../../core/incident/model';
import { checkDefinition } from '../../core/incident/steps';
import { pinnedIds, type TimelineEntry } from '../../core/incident/timeline';
import { entryText } from '../../core/incident/timelineText';
import type { CheckHow, Incident } from '../../core/incident/types';
import type {
  GuideDriftHost,
  GuideIncident,
  GuidePerson,
  GuideLoadSeries,
  GuideState,
  GuideTimelineItem,
} from '../../webview/guide/protocol';

function hhmm(iso: string): string {
  return iso.slice(11, 16);
}

function howText(how: CheckHow | null): string {
  if (!how) return '';
  if (how.by === 'event') return `ticked by ${how.event} at ${hhmm(how.at)}`;
  return `${how.done ? 'ticked' : 'unticked'} by hand${how.who ? ` (${how.who})` : ''} at ${hhmm(how.at)}: ${how.reason}`;
}

function guideIncident(incident: Incident): GuideIncident {
  const current = currentStep(incident);
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    createdAt: Date.parse(incident.createdAt),
    commander: incident.roles.find((r) => r.role === 'commander')?.who ?? null,
    hosts: incident.hosts,
    milestones: Object.entries(incident.milestones).map(([name, at]) => ({ name, at: at ? Date.parse(at) : null })),
    steps: incident.steps.map((step) => {
      return {
        id: step.id,
        title: step.title,
        current: step.id === current,
        checks: step.checks.map((check) => ({
          id: check.id,
          title: check.title,
          done: check.done,
          how: howText(check.how),
          hint: checkDefinition(step.id, check.id)?.hint ?? '',
        })),
      };
    }),
    actionItems: incident.actionItems.map((a) => ({ ...a })),
  };
}

/** The timeline as the panel lists it, oldest first; pin entries become the pinned flag. */
function guideTimeline(entries: readonly TimelineEntry[]): GuideTimelineItem[] {
  const pinned = pinnedIds(entries);
  const items: GuideTimelineItem[] = [];
  for (const entry of entries) {
    if (entry.type === 'pin') continue;
    const text = entryText(entry);
    if (!text) continue;
    items.push({
      id: entry.id,
      at: Date.parse(entry.at),
      ...(entry.who ? { who: entry.who } : {}),
      ...(entry.type === 'event' && entry.host ? { host: entry.host } : {}),
      kind: entry.type,
      ...(entry.type === 'note' ? { noteKind: entry.kind } : {}),
      ...(entry.type === 'event' ? { name: entry.name } : {}),
      label: text.text,
      pinned: pinned.has(entry.id),
      ...(text.evidence ? { evidence: text.evidence.file.split('/').pop() + (text.evidence.line ? `:${text.evidence.line}` : '') } : {}),
    });
  }
  return items;
}

/** Each host's load per CPU from the `health.sampled` events, in time order. */
function loadSeries(entries: readonly TimelineEntry[]): GuideLoadSeries[] {
  const byHost = new Map<string, GuideLoadSeries>();
  for (const entry of entries) {
    if (entry.type !== 'event' || entry.name !== 'health.sampled' || !entry.host || typeof entry.data.loadPerCpu !== 'number') continue;
    let series = byHost.get(entry.host);
    if (!series) byHost.set(entry.host, (series = { host: entry.host, points: [] }));
    series.points.push({ at: Date.parse(entry.at), loadPerCpu: entry.data.loadPerCpu });
  }
  for (const series of byHost.values()) series.points.sort((a, b) => a.at - b.at);
  return [...byHost.values()];
}

export function guideState(input: {
  incident: Incident | null;
  timeline: readonly TimelineEntry[];
  incidents: { id: string; title: string; status: string }[];
  guest: boolean;
  /** The drift section's hosts, as last checked (none in a guest's window). */
  drift?: GuideDriftHost[];
  /** Who is in the Live Share session. */
  presence?: GuidePerson[];
  problem?: string;
}): GuideState {
  return {
    incident: input.incident ? guideIncident(input.incident) : null,
    incidents: input.incidents,
    timeline: input.incident ? guideTimeline(input.timeline) : [],
    loads: input.incident ? loadSeries(input.timeline) : [],
    drift: input.guest ? [] : (input.drift ?? []),
    presence: input.presence ?? [],
    guest: input.guest,
    ...(input.problem ? { problem: input.problem } : {}),
  };
}
