// `firefighter incident start|note|milestone|close|write-up|show` and `firefighter incidents`: the
// incident files of the repository the command runs in (docs/architecture.md, "Incidents").
// Everything written is redacted by the store.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { type EventPublisher, noEvents } from '../core/events';
import { IncidentJournal } from '../core/incident/journal';
import { IncidentError } from '../core/incident/model';
import type { SearchHit } from '../core/incident/search';
import { IncidentStore } from '../core/incident/store';
import { NOTE_KINDS, type NoteKind } from '../core/incident/timeline';
import { traceRecordsIn } from '../core/incident/traceRecords';
import { ACTION_TYPES, type ActionItem, type ActionType, type Milestone, SEVERITIES, type Severity } from '../core/incident/types';
import { systemClock, type Clock } from '../core/util/clock';
import { type CliCommand, type CliIo, errorMessage, ExitCode, UsageError } from './command';
import { lastValue, parseArgs } from './incidentArgs';
import { showIncident } from './incidentShow';

const INCIDENT_USAGE = `usage: firefighter incident start --title T --severity SEV1|SEV2|SEV3|SEV4 [--host H]... [--commander NAME]   prints the id
       firefighter incident note ID TEXT|- [--kind comment|hypothesis|ruled-out|decision]   (- reads the text from stdin)
       firefighter incident milestone ID localized|mitigated|resolved [--at ISO_TIME]
       firefighter incident action ID --what T --type mitigate|prevent|process [--owner NAME]
       firefighter incident close ID
       firefighter incident write-up ID                 writes incidents/ID/write-up.md, keeping what was written by hand
       firefighter incident show ID [--json]`;
const INCIDENTS_USAGE = 'usage: firefighter incidents [--similar-to TRACE_FILE] [--text WORDS] [--json]';

export interface IncidentCliOptions {
  /** Where the command runs; the repository is the nearest folder up from it with incidents/ or .git. */
  cwd?: () => string;
  clock?: Clock;
  events?: EventPublisher;
  /** Tests pass counted ids so timeline file names are stable. */
  newId?: () => string;
}

/** The nearest folder at or above `dir` that holds incidents/ or .git; `dir` itself when none does. */
export function repositoryRoot(dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (existsSync(path.join(at, 'incidents')) || existsSync(path.join(at, '.git'))) return at;
    if (path.dirname(at) === at) return path.resolve(dir);
  }
}

function cwdOf(options: IncidentCliOptions): string {
  return (options.cwd ?? (() => process.cwd()))();
}

function journalFor(options: IncidentCliOptions, io: CliIo): IncidentJournal {
  const root = repositoryRoot(cwdOf(options));
  const who = io.env.USER ?? io.env.USERNAME;
  return new IncidentJournal(new IncidentStore(root, { newId: options.newId }), {
    clock: options.clock ?? systemClock,
    events: options.events ?? noEvents,
    who,
  });
}

/** Runs `body`; a usage error exits 2 with the usage, an incident error 1 with its message. */
async function guarded(name: string, usage: string, io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`firefighter ${name}: ${error.message}\n${usage}\n`);
      return ExitCode.usage;
    }
    if (error instanceof IncidentError) {
      io.stderr.write(`firefighter ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T {
  if (value === undefined || !allowed.includes(value as T))
    throw new UsageError(`${what} must be one of ${allowed.join(', ')}${value === undefined ? '' : `, not "${value}"`}`);
  return value as T;
}

function isoTime(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`"${value}" is not a time (use ISO 8601, e.g. 2026-12-02T03:15:00Z)`);
  return new Date(ms).toISOString();
}

/** A note read from stdin is at most this long; a whole log belongs in evidence/, not in a note. */
const MAX_NOTE_BYTES = 1024 * 1024;

async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buffer.length;
    if (bytes > MAX_NOTE_BYTES)
      throw new IncidentError(
        `the note on stdin is over ${MAX_NOTE_BYTES} bytes: save the text under the incident's evidence/ folder and note what it shows`,
      );
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function makeIncidentCommand(options: IncidentCliOptions = {}): CliCommand {
  return (args, io) =>
    guarded('incident', INCIDENT_USAGE, io, async () => {
      const [sub, ...rest] = args;
      if (sub === undefined || sub === '--help' || sub === '-h') {
        (sub === undefined ? io.stderr : io.stdout).write(`${INCIDENT_USAGE}\n`);
        return sub === undefined ? ExitCode.usage : ExitCode.ok;
      }
      const journal = journalFor(options, io);
      switch (sub) {
        case 'start': {
          const parsed = parseArgs(rest, { values: ['--title', '--severity', '--host', '--commander'] });
          if (parsed.positional.length) throw new UsageError(`unexpected "${parsed.positional[0]}"`);
          const title = lastValue(parsed, '--title');
          if (!title?.trim()) throw new UsageError('--title is required');
          const severity = oneOf<Severity>(lastValue(parsed, '--severity'), SEVERITIES, '--severity');
          const incident = await journal.start({
            title,
            severity,
            hosts: parsed.values.get('--host') ?? [],
            commander: lastValue(parsed, '--commander'),
          });
          io.stdout.write(`${incident.id}\n`);
          return ExitCode.ok;
        }
        case 'note': {
          const parsed = parseArgs(rest, { values: ['--kind'] });
          const [id, ...words] = parsed.positional;
          if (id === undefined || words.length === 0) throw new UsageError('note needs an incident id and the text');
          const kind = oneOf<NoteKind>(lastValue(parsed, '--kind') ?? 'comment', NOTE_KINDS, '--kind');
          const text = words.length === 1 && words[0] === '-' ? await readStdin(io) : words.join(' ');
          const entry = await journal.note(id, text, kind);
          io.stdout.write(`${entry.id}\n`);
          return ExitCode.ok;
        }
        case 'milestone': {
          const parsed = parseArgs(rest, { values: ['--at'] });
          const [id, name, extra] = parsed.positional;
          if (id === undefined || extra !== undefined) throw new UsageError('milestone needs an incident id and a milestone');
          const milestone = oneOf<Milestone>(name, ['localized', 'mitigated', 'resolved'], 'the milestone');
          const at = lastValue(parsed, '--at');
          const incident = await journal.milestone(id, milestone, at === undefined ? undefined : isoTime(at));
          io.stdout.write(`${incident.id} ${milestone} at ${incident.milestones[milestone]}; status ${incident.status}\n`);
          return ExitCode.ok;
        }
        case 'action': {
          const parsed = parseArgs(rest, { values: ['--what', '--type', '--owner'] });
          const [id, extra] = parsed.positional;
          if (id === undefined || extra !== undefined) throw new UsageError('action needs one incident id');
          const what = lastValue(parsed, '--what');
          if (!what?.trim()) throw new UsageError('--what is required');
          const type = oneOf<ActionType>(lastValue(parsed, '--type'), ACTION_TYPES, '--type');
          const incident = await journal.addActionItem(id, { what, type, owner: lastValue(parsed, '--owner') ?? null, status: 'open' });
          io.stdout.write(`${(incident.actionItems.at(-1) as ActionItem).id}\n`);
          return ExitCode.ok;
        }
        case 'close':
        case 'write-up':
        case 'show': {
          const parsed = parseArgs(rest, { switches: sub === 'show' ? ['--json'] : [] });
          const [id, extra] = parsed.positional;
          if (id === undefined || extra !== undefined) throw new UsageError(`${sub} needs one incident id`);
          if (sub === 'close') {
            io.stdout.write(`${(await journal.close(id)).id} closed\n`);
          } else if (sub === 'write-up') {
            io.stdout.write(`${path.relative(cwdOf(options), await journal.writeUp(id)) || '.'}\n`);
          } else {
            const incident = await journal.store.read(id);
            const timeline = await journal.store.timeline(id);
            io.stdout.write(
              parsed.switches.has('--json') ? JSON.stringify({ ...incident, timeline }) + '\n' : showIncident(incident, timeline),
            );
          }
          return ExitCode.ok;
        }
        default:
          throw new UsageError(`unknown subcommand "${sub}"`);
      }
    });
}

export function makeIncidentsCommand(options: IncidentCliOptions = {}): CliCommand {
  return (args, io) =>
    guarded('incidents', INCIDENTS_USAGE, io, async () => {
      const parsed = parseArgs(args, { values: ['--similar-to', '--text'], switches: ['--json', '--help'] });
      if (parsed.switches.has('--help')) {
        io.stdout.write(`${INCIDENTS_USAGE}\n`);
        return ExitCode.ok;
      }
      if (parsed.positional.length) throw new UsageError(`unexpected "${parsed.positional[0]}"`);
      const json = parsed.switches.has('--json');
      const journal = journalFor(options, io);
      const traceFile = lastValue(parsed, '--similar-to');
      const text = lastValue(parsed, '--text');
      if (traceFile === undefined && text === undefined) return listIncidents(journal, io, json);
      let traces = undefined;
      if (traceFile !== undefined) {
        const content = await readFile(path.resolve(cwdOf(options), traceFile), 'utf8').catch((error: unknown) => {
          throw new IncidentError(`cannot read ${traceFile}: ${errorMessage(error)}`);
        });
        traces = traceRecordsIn(content, '');
        if (traces.length === 0)
          throw new IncidentError(`no stack trace found in ${traceFile}: pass a file that holds one (a log excerpt, a copied traceback)`);
      }
      const hits = await journal.searchPast({ traces, text });
      for (const hit of hits)
        io.stdout.write(
          json
            ? JSON.stringify(hitJson(hit)) + '\n'
            : `${hit.score.toFixed(2).padStart(6)}  ${hit.incident.id}  ${hit.incident.title}  (${hit.reasons.join('; ')})\n`,
        );
      return ExitCode.ok;
    });
}

function hitJson({ incident, score, reasons }: SearchHit): Record<string, unknown> {
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    score: Number(score.toFixed(3)),
    reasons,
  };
}

async function listIncidents(journal: IncidentJournal, io: CliIo, json: boolean): Promise<number> {
  for (const id of await journal.store.ids()) {
    try {
      const incident = await journal.store.read(id);
      io.stdout.write(
        json
          ? JSON.stringify({
              id,
              title: incident.title,
              severity: incident.severity,
              status: incident.status,
              milestones: incident.milestones,
              hosts: incident.hosts,
              fingerprints: incident.traces.map((t) => t.fingerprint),
            }) + '\n'
          : `${id}  ${incident.severity}  ${incident.status.padEnd(9)}  ${incident.title}\n`,
      );
    } catch (error) {
      if (!(error instanceof IncidentError)) throw error;
      io.stderr.write(`firefighter incidents: skipped ${id}: ${error.message}\n`);
    }
  }
  return ExitCode.ok;
}
