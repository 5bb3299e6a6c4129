// One line of text per timeline entry, for the write-up and the CLI (docs/architecture.md,
// "Incidents"). Text that came from a host stays data: control sequences are removed here, and
// the write-up escapes what Markdown would interpret.
import { stripControl } from '../util/text';
import { checkDefinition } from './steps';
import type { EventEntry, NoteKind, TimelineEntry } from './timeline';

export const NOTE_LABELS: Record<NoteKind, string> = {
  comment: 'Note',
  hypothesis: 'Hypothesis',
  'ruled-out': 'Ruled out',
  decision: 'Decision',
};

const HEALTH_REASONS: Record<string, string> = {
  first: 'Health',
  loadHigh: 'Load per CPU above 1',
  loadNormal: 'Load back under 1 per CPU',
  memoryLow: 'Memory available under 10 %',
  memoryNormal: 'Memory available back over 10 %',
};

const CONNECTION_STATES: Record<string, string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  failed: 'Connection failed',
  disconnected: 'Disconnected',
  idle: 'Closed the idle connection',
};

/** Evidence an entry points at: a file in the incident or the workspace, with a line. */
export interface Evidence {
  file: string;
  line?: number;
}

export interface EntryText {
  text: string;
  evidence?: Evidence;
}

const str = (value: unknown): string =>
  typeof value === 'string' ? stripControl(value) : value === undefined || value === null ? '' : stripControl(String(value));
const num = (value: unknown, digits: number): string => (typeof value === 'number' ? value.toFixed(digits) : '?');

function frameText(frame: unknown): string {
  const f = (frame ?? {}) as { function?: unknown; file?: unknown; line?: unknown };
  const where = f.file ? `${str(f.file)}${f.line != null ? `:${str(f.line)}` : ''}` : '';
  return [str(f.function), where && `(${where})`].filter(Boolean).join(' ');
}

function checkTitle(step: string, check: string): string {
  return checkDefinition(step, check)?.title ?? `${step}/${check}`;
}

function eventText(entry: EventEntry): EntryText | undefined {
  const d = entry.data;
  switch (entry.name) {
    case 'command.started':
      return undefined; // its command.ended says the same and more
    case 'command.ended': {
      const outcome =
        d.exitCode !== null && d.exitCode !== undefined ? `exit ${str(d.exitCode)}` : str(d.signal) || str(d.error) || 'no exit code';
      return { text: `Ran \`${str(d.command)}\` (${outcome}, ${num(d.durationMs, 0)} ms)` };
    }
    case 'connection.changed':
      return {
        text: `${CONNECTION_STATES[str(d.state)] ?? `Connection ${str(d.state)}`}${d.kind ? ` (${str(d.kind)})` : ''}${d.message ? `: ${str(d.message)}` : ''}${d.byUser ? ' by the user' : ''}`,
      };
    case 'health.sampled':
      return {
        text: `${HEALTH_REASONS[str(d.reason)] ?? 'Health'}: load per CPU ${num(d.loadPerCpu, 2)} (load ${Array.isArray(d.load) ? d.load.map((l) => num(l, 2)).join(' ') : '?'} on ${str(d.cpus)} CPUs), CPU ${num(d.cpuBusyPercent, 0)} % busy, ${num(d.memoryAvailablePercent, 0)} % memory available`,
      };
    case 'health.failed':
      return { text: `Health read failed: ${str(d.message)}` };
    case 'log.started':
      return { text: `Followed ${str(d.path)}${d.filter ? ` (filter ${str(d.filter)})` : ''}` };
    case 'log.resumed':
      return { text: `Resumed ${str(d.path)} at byte ${str(d.offset)}` };
    case 'log.rotated':
    case 'log.skipped':
      return { text: `${str(d.path)}: ${str(d.message)}` };
    case 'log.stopped':
      return { text: `Stopped following ${str(d.path)} (${str(d.reason)})` };
    case 'log.excerptSaved':
      return {
        text: `Saved a log excerpt of ${str(d.lines)} lines${d.path ? ` from ${str(d.path)}` : ''}${d.lastLine ? `, ending: ${str(d.lastLine)}` : ''}`,
        evidence: { file: str(d.file) },
      };
    case 'trace.analysed':
      return {
        text: `Analysed a ${str(d.language)} trace${d.exception ? `: ${str(d.exception)}` : ''}${d.topAppFrame ? ` in ${frameText(d.topAppFrame)}` : ''} [${str(d.fingerprint)}]`,
      };
    case 'frame.opened': {
      const local = d.local as { file?: unknown; line?: unknown; revision?: unknown } | null;
      if (!local) return { text: `Could not open ${frameText(d.remote)}: ${str(d.reason)}` };
      const line = typeof local.line === 'number' ? local.line : undefined;
      return {
        text: `Opened ${frameText(d.remote)}${local.revision ? ` at revision ${str(local.revision)}` : ''}`,
        evidence: { file: str(local.file), line },
      };
    }
    case 'incident.searched':
      return { text: `Searched past incidents for ${str(d.query)}: ${str(d.found)} found` };
    case 'incident.writtenUp':
      return { text: 'Wrote the write-up' };
    case 'hotfix.branchCreated':
      return { text: `Created hotfix branch ${str(d.branch)} from ${str(d.fromRevision)}` };
    case 'hotfix.committed':
      return { text: `Committed ${str(d.commit).slice(0, 12)} on ${str(d.branch)}: ${str(d.message)}` };
    case 'hotfix.tested':
      return { text: `Tests ${d.passed ? 'passed' : 'failed'}: \`${str(d.command)}\`` };
    case 'hotfix.deployed':
      return { text: `Deployed ${str(d.revision)}${d.command ? ` with \`${str(d.command)}\`` : ''}` };
    case 'hotfix.verified':
      return { text: `Verified ${d.ok ? 'fixed' : 'NOT fixed'}: ${str(d.how)}` };
    case 'guard.answered':
      return { text: `Production guard: ${str(d.action)} ${d.allowed ? 'allowed' : 'refused'} by ${str(d.by)}` };
    case 'process.signalled':
      return { text: `Sent ${str(d.signal)} to pid ${str(d.pid)} (kill exit ${str(d.exitCode)})` };
    case 'service.restarted':
      return { text: `Restarted the service with \`${str(d.command)}\` (exit ${str(d.exitCode)})` };
    default: {
      // An event this version does not know yet (another feature's): its name and a file it names.
      const file = typeof d.file === 'string' ? { file: str(d.file) } : undefined;
      return { text: `${entry.name}${d.pid !== undefined ? ` of pid ${str(d.pid)}` : ''}`, evidence: file };
    }
  }
}

/** The entry as one line, or undefined for entries a reader need not see (pins, command starts). */
export function entryText(entry: TimelineEntry): EntryText | undefined {
  switch (entry.type) {
    case 'event':
      return eventText(entry);
    case 'note':
      return { text: `${NOTE_LABELS[entry.kind]}: ${str(entry.text)}` };
    case 'milestone':
      return { text: `${entry.milestone[0].toUpperCase()}${entry.milestone.slice(1)}` };
    case 'check':
      return { text: `${entry.done ? 'Ticked' : 'Unticked'} "${checkTitle(entry.step, entry.check)}" by hand: ${str(entry.reason)}` };
    case 'status':
      return { text: `Status: ${entry.status}` };
    case 'pin':
      return undefined;
  }
}

/** `2026-12-02 03:00:00 UTC`. */
export function utcTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
