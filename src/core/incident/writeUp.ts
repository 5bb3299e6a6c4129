// write-up.md in the shape of the Google SRE postmortem (docs/architecture.md, "Incidents:
// write-up"). Generated sections sit between `<!-- firefighter:begin NAME -->` and
// `<!-- firefighter:end NAME -->`; regenerating replaces only those, so what people wrote anywhere
// else survives. A generated section someone deleted stays deleted.
import { redactText } from './redact';
import { pinnedIds, type TimelineEntry } from './timeline';
import { entryText, type Evidence, NOTE_LABELS, utcTime } from './timelineText';
import { type Incident, MILESTONES } from './types';

export interface WriteUpInput {
  incident: Incident;
  timeline: TimelineEntry[];
}

/** Longest entry text in the timeline table; the full text is in the timeline file. */
const MAX_CELL = 240;

const BLOCK = /<!-- firefighter:begin ([a-z-]+) -->\n[\s\S]*?<!-- firefighter:end \1 -->/g;

/** The write-up: a new one from the template, or `existing` with its generated sections renewed. */
export function renderWriteUp(input: WriteUpInput, existing?: string): string {
  const sections = generatedSections(input);
  const text =
    existing === undefined
      ? template(input.incident, sections)
      : existing.replace(BLOCK, (block, name: string) => (sections.has(name) ? wrap(name, sections.get(name) as string) : block));
  return redactText(text);
}

function wrap(name: string, body: string): string {
  return `<!-- firefighter:begin ${name} -->\n${body.trimEnd()}\n<!-- firefighter:end ${name} -->`;
}

function template(incident: Incident, sections: Map<string, string>): string {
  const block = (name: string) => wrap(name, sections.get(name) as string);
  const hand = (prompt: string) => `_${prompt}_`;
  return [
    `# ${inline(incident.title)}`,
    block('header'),
    hand(
      'Generated sections are between firefighter:begin and firefighter:end markers and are rewritten by Write Up; write anywhere else and it stays.',
    ),
    '## Summary',
    hand('What happened, to whom and for how long, in two or three sentences.'),
    '## Impact',
    hand('Who was affected and how much: users, requests, revenue, other teams.'),
    '## Root causes',
    hand('Why it happened: the chain of causes, not the person.'),
    block('root-causes'),
    '## Trigger',
    hand('What set it off: a deploy, a traffic spike, a cron job, a configuration change.'),
    '## Resolution',
    hand('What fixed it, and what made it take the time it took.'),
    block('resolution'),
    '## Detection',
    hand('How we found out, and how we could have found out sooner.'),
    block('detection'),
    '## Action items',
    block('action-items'),
    '## Lessons learned',
    '### What went well',
    hand('…'),
    '### What went wrong',
    hand('…'),
    block('checklist'),
    '### Where we got lucky',
    hand('…'),
    '## Timeline',
    block('timeline'),
    '',
  ].join('\n\n');
}

function generatedSections({ incident, timeline }: WriteUpInput): Map<string, string> {
  return new Map([
    ['header', header(incident)],
    ['root-causes', rootCauses(incident, timeline)],
    ['resolution', resolution(incident, timeline)],
    ['detection', detection(incident, timeline)],
    ['action-items', actionItems(incident)],
    ['checklist', checklist(incident)],
    ['timeline', timelineTable(timeline)],
  ]);
}

function minutesBetween(from: string, to: string): string {
  const minutes = Math.round((Date.parse(to) - Date.parse(from)) / 60_000);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Text inside a Markdown line: no line breaks, no HTML, no table cell breaks. */
function inline(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

function cell(text: string): string {
  const flat = inline(text);
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

function header(incident: Incident): string {
  const commander = incident.roles.find((role) => role.role === 'commander')?.who;
  const others = incident.roles.filter((role) => role.role !== 'commander').map((role) => `${inline(role.role)}: ${inline(role.who)}`);
  const facts = [
    `**Status:** ${incident.status}`,
    `**Severity:** ${incident.severity}`,
    `**Commander:** ${commander ? inline(commander) : 'nobody named'}`,
    ...(others.length ? [`**Roles:** ${others.join(', ')}`] : []),
    `**Hosts:** ${incident.hosts.length ? incident.hosts.map(inline).join(', ') : 'none recorded'}`,
  ];
  const detected = incident.milestones.detected;
  const times = MILESTONES.map((m) => {
    const at = incident.milestones[m];
    if (!at) return '—';
    return m === 'detected' || !detected ? utcTime(at) : `${utcTime(at)} (+${minutesBetween(detected, at)})`;
  });
  return [
    facts.join(' · '),
    '',
    `| ${MILESTONES.map((m) => m[0].toUpperCase() + m.slice(1)).join(' | ')} |`,
    `|${MILESTONES.map(() => '---').join('|')}|`,
    `| ${times.join(' | ')} |`,
  ].join('\n');
}

function notesOf(timeline: TimelineEntry[], kind: string): string[] {
  return timeline.flatMap((entry) => (entry.type === 'note' && entry.kind === kind ? [entry.text] : []));
}

function rootCauses(incident: Incident, timeline: TimelineEntry[]): string {
  const lines: string[] = [];
  for (const kind of ['decision', 'hypothesis', 'ruled-out'] as const) {
    for (const text of notesOf(timeline, kind)) lines.push(`- ${NOTE_LABELS[kind]}: ${cell(text)}`);
  }
  for (const trace of incident.traces) {
    const frame = trace.appFrames[0] ? ` in \`${inline(trace.appFrames[0])}\`` : '';
    lines.push(
      `- Stack trace (${trace.language}): ${trace.exception ? inline(trace.exception) : 'no exception type'}${frame}, fingerprint \`${trace.fingerprint}\``,
    );
  }
  for (const entry of timeline) {
    const described = entry.type === 'event' && entry.name === 'frame.opened' ? entryText(entry) : undefined;
    if (described?.evidence) lines.push(`- Localized to ${evidenceLink(described.evidence)}`);
  }
  return lines.length
    ? ['From the investigation:', '', ...lines].join('\n')
    : '_Nothing recorded yet: notes of kind decision, hypothesis and ruled out, and the traces analysed, appear here._';
}

function eventLines(timeline: TimelineEntry[], names: (name: string) => boolean): string[] {
  return timeline.flatMap((entry) => {
    if (entry.type !== 'event' || !names(entry.name)) return [];
    const described = entryText(entry);
    return described ? [`- ${utcTime(entry.at)}${entry.host ? ` on ${inline(entry.host)}` : ''}: ${cell(described.text)}`] : [];
  });
}

function resolution(incident: Incident, timeline: TimelineEntry[]): string {
  const lines = eventLines(timeline, (name) => name.startsWith('hotfix.'));
  const { detected, mitigated, resolved } = incident.milestones;
  if (mitigated)
    lines.push(`- Mitigated at ${utcTime(mitigated)}${detected ? `, ${minutesBetween(detected, mitigated)} after detection` : ''}.`);
  if (resolved)
    lines.push(`- Resolved at ${utcTime(resolved)}${detected ? `, ${minutesBetween(detected, resolved)} after detection` : ''}.`);
  return lines.length ? lines.join('\n') : '_No hotfix recorded and not mitigated yet._';
}

function detection(incident: Incident, timeline: TimelineEntry[]): string {
  const lines = incident.milestones.detected ? [`- Detected at ${utcTime(incident.milestones.detected)}.`] : [];
  const firstOf = (test: (entry: TimelineEntry) => boolean) => timeline.find(test);
  const signals = [
    firstOf((e) => e.type === 'event' && e.name === 'health.sampled' && e.data.reason === 'loadHigh'),
    firstOf((e) => e.type === 'event' && e.name === 'health.sampled' && e.data.reason === 'memoryLow'),
    firstOf((e) => e.type === 'event' && e.name === 'trace.analysed'),
  ];
  for (const entry of signals) {
    const described = entry && entryText(entry);
    if (entry && described)
      lines.push(
        `- First seen ${utcTime(entry.at)}${entry.type === 'event' && entry.host ? ` on ${inline(entry.host)}` : ''}: ${cell(described.text)}`,
      );
  }
  return lines.join('\n');
}

function actionItems(incident: Incident): string {
  if (incident.actionItems.length === 0)
    return '_No action items yet: add them with their type (mitigate, prevent, process) and an owner._';
  return [
    '| | Action item | Type | Owner | Status |',
    '|---|---|---|---|---|',
    ...incident.actionItems.map(
      (item) => `| ${item.id} | ${cell(item.what)} | ${item.type} | ${item.owner ? cell(item.owner) : '**nobody**'} | ${item.status} |`,
    ),
  ].join('\n');
}

function checklist(incident: Incident): string {
  const open = incident.steps.flatMap((step) =>
    step.checks.filter((check) => !check.done).map((check) => `- ${step.title}: ${check.title}`),
  );
  return open.length ? ['Left undone in the four steps:', '', ...open].join('\n') : 'Every check of the four steps was done.';
}

/** A Markdown link from incidents/<id>/write-up.md to evidence: a workspace path is two folders up. */
function evidenceLink(evidence: Evidence): string {
  const label = `${evidence.file}${evidence.line ? `:${evidence.line}` : ''}`;
  if (!evidence.file || evidence.file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(evidence.file)) return `\`${inline(label)}\``;
  const target = evidence.file.startsWith('evidence/') ? evidence.file : `../../${evidence.file}`;
  return `[${inline(label)}](${encodeURI(target)}${evidence.line ? `#L${evidence.line}` : ''})`;
}

function timelineTable(timeline: TimelineEntry[]): string {
  const pinned = pinnedIds(timeline);
  const rows: string[] = [];
  for (const entry of timeline) {
    const described = entryText(entry);
    if (!described) continue;
    const host = entry.type === 'event' && entry.host ? inline(entry.host) : '';
    const who = entry.who ? ` (${inline(entry.who)})` : '';
    const pin = pinned.has(entry.id) ? '★ ' : '';
    rows.push(
      `| ${utcTime(entry.at)} | ${host} | ${pin}${cell(described.text)}${who} | ${described.evidence ? evidenceLink(described.evidence) : ''} |`,
    );
  }
  return ['★ pinned.', '', '| Time | Host | What | Evidence |', '|---|---|---|---|', ...rows].join('\n');
}
