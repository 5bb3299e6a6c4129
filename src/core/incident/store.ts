// The incident files on disk: `incidents/<date>-<slug>/` with incident.json, timeline/ and
// evidence/ (docs/architecture.md, "Incidents"). Everything is redacted before it is written.
// incident.json is replaced atomically (write, then rename); timeline files are created with
// O_EXCL and never touched again.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { nodeFiles, type IncidentFiles } from './files';
import { IncidentError } from './model';
import { redactText, redactValue } from './redact';
import { fileTime, type NewEntry, type TimelineEntry } from './timeline';
import { type Incident, SEVERITIES, STATUSES } from './types';

const ID = /^\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SLUG_MAX = 48;

export interface IncidentStoreOptions {
  /** Makes a timeline entry's id; tests pass a counter so file names are stable. */
  newId?: () => string;
  /** Node's fs by default; a Live Share guest's window passes workspace.fs. */
  files?: IncidentFiles;
}

export class IncidentStore {
  /** The `incidents/` folder. */
  readonly dir: string;
  private readonly newId: () => string;
  readonly files: IncidentFiles;
  private lastFileMs = 0;
  /** Updates of incident.json in this process, one at a time, so none is lost. */
  private updates: Promise<unknown> = Promise.resolve();
  /** Timeline entries already read, by file. */
  private readonly readEntries = new Map<string, TimelineEntry>();

  constructor(
    /** The repository (workspace folder) the `incidents/` folder lives in. */
    readonly root: string,
    options: IncidentStoreOptions = {},
  ) {
    this.dir = path.join(root, 'incidents');
    this.files = options.files ?? nodeFiles;
    this.newId = options.newId ?? (() => randomBytes(4).toString('hex'));
  }

  folder(id: string): string {
    if (!ID.test(id))
      throw new IncidentError(
        `"${id}" is not an incident id (they look like 2026-12-02-checkout-timeouts): run \`firefighter incidents\` to list them`,
      );
    return path.join(this.dir, id);
  }

  /** Makes the incident's folder from its date and title, `-2`, `-3`… when taken; returns its id. */
  async createFolder(title: string, nowMs: number): Promise<string> {
    await this.files.mkdir(this.dir, { recursive: true });
    // From the redacted title: a folder name is written too, and lands in git.
    const base = `${new Date(nowMs).toISOString().slice(0, 10)}-${slugOf(redactText(title))}`;
    for (let n = 1; ; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      try {
        await this.files.mkdir(path.join(this.dir, id));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      await this.files.mkdir(path.join(this.dir, id, 'timeline'));
      await this.files.mkdir(path.join(this.dir, id, 'evidence'));
      return id;
    }
  }

  async read(id: string): Promise<Incident> {
    const file = path.join(this.folder(id), 'incident.json');
    let text: string;
    try {
      text = await this.files.readText(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new IncidentError(
          `no incident "${id}" in ${this.dir}: run \`firefighter incidents\` to list them, from the repository that holds them`,
        );
      }
      throw error;
    }
    return parseIncident(text, file);
  }

  /** Writes incident.json, redacted, replacing the old one in one rename. */
  async write(incident: Incident): Promise<void> {
    const file = path.join(this.folder(incident.id), 'incident.json');
    const temporary = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
    await this.files.writeText(temporary, JSON.stringify(redactValue(incident), null, 2) + '\n');
    await this.files.rename(temporary, file);
  }

  /** Reads, changes and writes incident.json; updates from this process wait for each other. */
  update(id: string, change: (incident: Incident) => Incident): Promise<Incident> {
    const run = this.updates.then(async () => {
      const before = await this.read(id);
      const after = change(before);
      if (after !== before) await this.write(after);
      return after;
    });
    this.updates = run.catch(() => undefined);
    return run;
  }

  /** Adds a timeline file. Entries of one writer in the same millisecond keep their order. */
  async append(id: string, entry: NewEntry): Promise<TimelineEntry> {
    const written = redactValue({ id: this.newId(), ...entry }) as TimelineEntry;
    const ms = Math.max(Date.parse(entry.at), this.lastFileMs + 1);
    this.lastFileMs = ms;
    const file = path.join(this.folder(id), 'timeline', `${fileTime(ms)}-${written.id}.json`);
    await this.files.writeText(file, JSON.stringify(written, null, 2) + '\n', { exclusive: true });
    return written;
  }

  /** The timeline in time order; a file that is not an entry (a stray, a half-synced one) is skipped. */
  async timeline(id: string): Promise<TimelineEntry[]> {
    const dir = path.join(this.folder(id), 'timeline');
    const names = (await this.files.list(dir))
      .map((entry) => entry.name)
      .filter((name) => name.endsWith('.json'))
      .sort();
    const entries: TimelineEntry[] = [];
    for (const name of names) {
      const file = path.join(dir, name);
      // Timeline files are never rewritten: one read each (a refreshing panel reads only new ones).
      let entry: TimelineEntry | null | undefined = this.readEntries.get(file);
      if (entry === undefined) {
        entry = await this.readEntry(file);
        if (entry) this.readEntries.set(file, entry);
      }
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /** A timeline file's entry, or null when it is not one (a stray, a half-synced file: left on disk, out of the timeline). */
  private async readEntry(file: string): Promise<TimelineEntry | null> {
    try {
      const entry = JSON.parse(await this.files.readText(file)) as TimelineEntry;
      return typeof entry?.id === 'string' && typeof entry.at === 'string' && typeof entry.type === 'string' ? entry : null;
    } catch {
      return null;
    }
  }

  /** Ids of the incidents in the folder, newest first (ids start with their date). */
  async ids(): Promise<string[]> {
    const names = await this.files.list(this.dir);
    return names
      .filter((entry) => entry.directory && ID.test(entry.name))
      .map((entry) => entry.name)
      .sort()
      .reverse();
  }
}

/** Lowercase words joined by dashes, at most SLUG_MAX characters. */
function slugOf(title: string): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, '');
  return slug || 'incident';
}

/** incident.json's text as an incident, or an error naming the file and what is wrong with it. */
function parseIncident(text: string, file: string): Incident {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IncidentError(`${file} is not valid JSON (${(error as Error).message}): fix it by hand or restore it from git`);
  }
  const incident = json as Partial<Incident> | null;
  const problem =
    typeof incident !== 'object' || incident === null
      ? 'it is not an object'
      : incident.version !== 1
        ? `version ${String(incident.version)} is not one this version of Firefighter reads`
        : typeof incident.id !== 'string' || typeof incident.title !== 'string'
          ? 'it has no id or title'
          : !SEVERITIES.includes(incident.severity as never)
            ? `severity ${String(incident.severity)} is not SEV1–SEV4`
            : !STATUSES.includes(incident.status as never)
              ? `status ${String(incident.status)} is not one of ${STATUSES.join(', ')}`
              : !Array.isArray(incident.steps) || typeof incident.milestones !== 'object'
                ? 'it has no steps or milestones'
                : undefined;
  if (problem) throw new IncidentError(`${file} is not an incident file: ${problem}`);
  return {
    ...incident,
    roles: incident!.roles ?? [],
    hosts: incident!.hosts ?? [],
    actionItems: incident!.actionItems ?? [],
    traces: incident!.traces ?? [],
  } as Incident;
}
