// What people and features do to an incident, as files: each operation changes incident.json
// through the model's rules, appends its timeline entry, and then publishes its event
// (docs/architecture.md, "Incidents"). The CLI and the panel both go through here.
import * as path from 'node:path';
import { type EventPublisher, type IncidentEventMap, noEvents } from '../events';
import { systemClock, type Clock } from '../util/clock';
import {
  addActionItem,
  addHost,
  addTrace,
  checkNewIncident,
  closeIncident,
  eventMayTick,
  IncidentError,
  newIncident,
  setCheck,
  setMilestone,
  type NewIncident,
} from './model';
import { checksTickedBy } from './rules';
import { searchIncidents, type SearchHit, type SearchQuery } from './search';
import type { IncidentStore } from './store';
import type { CheckEntry, EventEntry, NoteEntry, NoteKind, TimelineEntry } from './timeline';
import { traceRecordOfEvent, traceRecordsIn } from './traceRecords';
import type { ActionItem, Incident, Milestone } from './types';
import { renderWriteUp } from './writeUp';

/** The source of the events the journal publishes; the recorder does not record them twice. */
export const JOURNAL_SOURCE = 'incident';

/** An event of the stream, as the bus delivers it: envelope and fields in one object. */
export interface StreamEvent {
  name: string;
  at: number;
  source: string;
  host?: string;
  [field: string]: unknown;
}

export interface IncidentJournalOptions {
  clock?: Clock;
  events?: EventPublisher;
  /** Who is at the keyboard, recorded on what they add by hand. */
  who?: string;
}

export class IncidentJournal {
  private readonly clock: Clock;
  private readonly events: EventPublisher;
  private readonly who: string | undefined;

  constructor(
    readonly store: IncidentStore,
    options: IncidentJournalOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? noEvents;
    this.who = options.who;
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private byWho(): { who?: string } {
    return this.who ? { who: this.who } : {};
  }

  /** Creates the incident's folder and files; the clock starts (detected) now unless told otherwise. */
  async start(spec: Omit<NewIncident, 'id'>): Promise<Incident> {
    const now = this.now();
    // Checked before the folder exists, so a refused start leaves nothing behind.
    checkNewIncident(spec, now);
    const id = await this.store.createFolder(spec.title, this.clock.now());
    const incident = newIncident({ ...spec, id }, now);
    await this.store.write(incident);
    await this.store.append(id, { type: 'milestone', milestone: 'detected', at: incident.milestones.detected as string, ...this.byWho() });
    // Events reach files too (--events): they carry what was stored, redacted.
    const stored = await this.store.read(id);
    this.events.publish('incident.started', JOURNAL_SOURCE, {
      incident: id,
      title: stored.title,
      severity: stored.severity,
      hosts: stored.hosts,
    });
    return stored;
  }

  /** Adds a note; a stack trace pasted into it adds its fingerprint to the incident. */
  async note(id: string, text: string, kind: NoteKind = 'comment'): Promise<NoteEntry> {
    if (!text.trim()) throw new IncidentError('a note needs some text');
    await this.store.read(id);
    const entry = (await this.store.append(id, { type: 'note', kind, text, at: this.now(), ...this.byWho() })) as NoteEntry;
    const traces = traceRecordsIn(entry.text, entry.at);
    if (traces.length > 0) await this.store.update(id, (incident) => traces.reduce(addTrace, incident));
    this.events.publish('incident.note', JOURNAL_SOURCE, { incident: id, kind, text: entry.text });
    return entry;
  }

  async milestone(id: string, milestone: Milestone, at: string = this.now()): Promise<Incident> {
    const updated = await this.store.update(id, (incident) => setMilestone(incident, milestone, at));
    await this.store.append(id, { type: 'milestone', milestone, at, ...this.byWho() });
    this.events.publish('incident.milestone', JOURNAL_SOURCE, { incident: id, milestone });
    return updated;
  }

  async close(id: string): Promise<Incident> {
    const updated = await this.store.update(id, closeIncident);
    await this.store.append(id, { type: 'status', status: 'closed', at: this.now(), ...this.byWho() });
    return updated;
  }

  /** Ticks or unticks a check by hand; an unticked check stays unticked whatever events come. */
  async setCheckByHand(id: string, step: string, check: string, done: boolean, reason: string): Promise<Incident> {
    const at = this.now();
    const updated = await this.store.update(id, (incident) =>
      setCheck(incident, step, check, { by: 'hand', done, reason, at, ...this.byWho() }),
    );
    const entry = (await this.store.append(id, { type: 'check', step, check, done, reason, at, ...this.byWho() })) as CheckEntry;
    this.events.publish('incident.checked', JOURNAL_SOURCE, { incident: id, step, check, done, reason: entry.reason });
    return updated;
  }

  async addActionItem(id: string, item: Omit<ActionItem, 'id'>): Promise<Incident> {
    return this.store.update(id, (incident) => addActionItem(incident, item));
  }

  async pin(id: string, target: string, pinned = true): Promise<TimelineEntry> {
    const entries = await this.store.timeline(id);
    if (!entries.some((entry) => entry.id === target)) throw new IncidentError(`${id} has no timeline entry ${target}`);
    return this.store.append(id, { type: 'pin', target, pinned, at: this.now(), ...this.byWho() });
  }

  /**
   * Appends an event of the stream to the timeline (redacted) and applies what it means to the
   * incident: the checks it ticks, the host it connected, the trace it analysed.
   */
  async recordEvent(id: string, event: StreamEvent): Promise<EventEntry> {
    const { name, at, source, host, ...data } = event;
    const entry = (await this.store.append(id, {
      type: 'event',
      name,
      source,
      ...(typeof host === 'string' ? { host } : {}),
      data,
      at: new Date(at).toISOString(),
    })) as EventEntry;
    const ticks = checksTickedBy({ name, data: entry.data });
    const changesIncident = ticks.length > 0 || name === 'connection.changed' || name === 'trace.analysed';
    if (!changesIncident) return entry;
    await this.store.update(id, (incident) => {
      let next = incident;
      for (const { step, check } of ticks) {
        if (eventMayTick(next, step, check))
          next = setCheck(next, step, check, { by: 'event', event: name, entry: entry.id, at: entry.at });
      }
      if (name === 'connection.changed' && entry.data.state === 'connected' && entry.host) next = addHost(next, entry.host);
      if (name === 'trace.analysed' && typeof entry.data.fingerprint === 'string') {
        next = addTrace(next, traceRecordOfEvent(entry.data as Parameters<typeof traceRecordOfEvent>[0], entry.at));
      }
      return next;
    });
    return entry;
  }

  /**
   * Writes incidents/<id>/write-up.md: a new one from the template, or the old one with only its
   * generated sections renewed. Returns the file's path.
   */
  async writeUp(id: string): Promise<string> {
    const file = path.join(this.store.folder(id), 'write-up.md');
    await this.recordOwn(id, 'incident.writtenUp', { incident: id, file: 'write-up.md' });
    const existing = await this.store.files.readText(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    const text = renderWriteUp({ incident: await this.store.read(id), timeline: await this.store.timeline(id) }, existing);
    await this.store.files.writeText(file, text);
    return file;
  }

  /** Step 3's search of past incidents; done for an incident, it goes on that one's timeline. */
  async searchPast(query: SearchQuery, forIncident?: string): Promise<SearchHit[]> {
    const hits = await searchIncidents(this.store, { ...query, exclude: forIncident ?? query.exclude });
    if (forIncident !== undefined) {
      const described = [
        ...(query.traces ?? []).map((trace) => `trace ${trace.fingerprint}`),
        ...(query.text ? [`"${query.text}"`] : []),
      ].join(', ');
      await this.recordOwn(forIncident, 'incident.searched', { incident: forIncident, query: described, found: hits.length });
    }
    return hits;
  }

  /** Records one of the journal's own events that may tick a check, then publishes it. */
  private async recordOwn<N extends 'incident.writtenUp' | 'incident.searched'>(
    id: string,
    name: N,
    payload: IncidentEventMap[N],
  ): Promise<void> {
    await this.recordEvent(id, { name, at: this.clock.now(), source: JOURNAL_SOURCE, ...payload });
    this.events.publish(name, JOURNAL_SOURCE, payload);
  }
}
