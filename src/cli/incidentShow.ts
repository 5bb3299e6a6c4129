// `firefighter incident show ID` as text: the incident's state, its four steps with what is done,
// action items, traces and the timeline.
import { currentStep } from '../core/incident/model';
import { checkDefinition } from '../core/incident/steps';
import { pinnedIds, type TimelineEntry } from '../core/incident/timeline';
import { entryText, utcTime } from '../core/incident/timelineText';
import { type Incident, MILESTONES } from '../core/incident/types';
import { stripControl } from '../core/util/text';

export function showIncident(incident: Incident, timeline: TimelineEntry[]): string {
  const commander = incident.roles.find((role) => role.role === 'commander')?.who;
  const out = [
    `${incident.id}  ${stripControl(incident.title)}`,
    [
      incident.severity,
      incident.status,
      commander ? `commander ${commander}` : 'no commander',
      incident.hosts.length ? `hosts ${incident.hosts.join(', ')}` : 'no hosts',
    ].join(' · '),
    '',
    ...MILESTONES.map((m) => `${m.padEnd(10)} ${incident.milestones[m] ? utcTime(incident.milestones[m] as string) : '—'}`),
    '',
    'Steps:',
  ];
  const current = currentStep(incident);
  for (const step of incident.steps) {
    out.push(`${step.id === current ? '>' : ' '} ${step.title}`);
    for (const check of step.checks) {
      const how = check.how === null ? '' : check.how.by === 'event' ? `  (${check.how.event})` : `  (by hand: ${check.how.reason})`;
      out.push(`    [${check.done ? 'x' : ' '}] ${check.title}${how}`);
    }
    const next = step.id === current ? step.checks.find((check) => !check.done) : undefined;
    const hint = next && checkDefinition(step.id, next.id)?.hint;
    if (hint) out.push(`    next: ${hint}`);
  }
  if (incident.actionItems.length) {
    out.push('', 'Action items:');
    for (const item of incident.actionItems)
      out.push(
        `  ${item.id}  ${item.type.padEnd(8)} ${item.status.padEnd(5)} ${stripControl(item.owner ?? 'nobody').padEnd(10)} ${stripControl(item.what)}`,
      );
  }
  if (incident.traces.length) {
    out.push('', 'Traces:');
    for (const trace of incident.traces)
      out.push(`  ${trace.fingerprint}  ${trace.language}  ${trace.exception ?? '-'}  ${trace.appFrames[0] ?? ''}`);
  }
  const pinned = pinnedIds(timeline);
  out.push('', 'Timeline:');
  for (const entry of timeline) {
    const described = entryText(entry);
    if (!described) continue;
    const host = entry.type === 'event' && entry.host ? `${entry.host}  ` : '';
    out.push(
      `  ${utcTime(entry.at)}  ${pinned.has(entry.id) ? '* ' : ''}${host}${described.text}${entry.who ? ` (${entry.who})` : ''}  [${entry.id}]`,
    );
  }
  return out.join('\n') + '\n';
}
