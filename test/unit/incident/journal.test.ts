import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EventBus } from '../../../src/core/events';
import { IncidentJournal } from '../../../src/core/incident/journal';
import { IncidentRecorder } from '../../../src/core/incident/recorder';
import { IncidentStore } from '../../../src/core/incident/store';
import { pinnedIds } from '../../../src/core/incident/timeline';
import { findStackTraces } from '../../../src/core/traces';
import { ManualClock } from '../../../src/core/util/clock';
import { tempDir } from '../../support/tempDir';

const TRACE = readFileSync(path.join(__dirname, '../../fixtures/traces/python-chained.txt'), 'utf8');

function setup(root: string) {
  const clock = new ManualClock(Date.parse('2026-12-02T03:00:00.000Z'));
  const bus = new EventBus(clock);
  const published: string[] = [];
  bus.onAny((event) => published.push(event.name));
  const journal = new IncidentJournal(new IncidentStore(root), { clock, events: bus, who: 'alice' });
  return { clock, bus, journal, published };
}

describe('incident journal and recorder', () => {
  it('starts an incident as a folder with incident.json, a timeline and evidence/', async (t) => {
    const root = tempDir(t, 'ff-incident-');
    const { journal, published } = setup(root);
    const incident = await journal.start({ title: 'Checkout: timeouts!', severity: 'SEV2', hosts: ['web-1'], commander: 'alice' });
    assert.equal(incident.id, '2026-12-02-checkout-timeouts');
    const folder = path.join(root, 'incidents', incident.id);
    assert.ok(existsSync(path.join(folder, 'evidence')));
    assert.equal(JSON.parse(readFileSync(path.join(folder, 'incident.json'), 'utf8')).severity, 'SEV2');
    const [entry] = await journal.store.timeline(incident.id);
    assert.equal(entry.type, 'milestone');
    assert.deepEqual(published, ['incident.started']);
    // The same title the same day gets its own folder.
    assert.equal((await journal.start({ title: 'Checkout: timeouts!', severity: 'SEV3' })).id, '2026-12-02-checkout-timeouts-2');
  });

  it('records every event of the stream on the active incident, redacted, and ticks the checks they prove', async (t) => {
    const root = tempDir(t, 'ff-incident-');
    const { clock, bus, journal } = setup(root);
    const { id } = await journal.start({ title: 'Checkout timeouts', severity: 'SEV2' });
    const errors: unknown[] = [];
    const recorder = new IncidentRecorder(journal, bus, { activeIncident: () => id, onError: (e) => errors.push(e) });
    t.after(() => recorder.dispose());
    bus.publish('connection.changed', 'pool', { host: 'web-2', state: 'connected' });
    clock.advance(1000);
    bus.publish('command.started', 'pool', { host: 'web-2', id: 'c1', command: 'mysql -u app --password hunter2 -e "select 1"' });
    bus.publish('health.sampled', 'health', {
      host: 'web-2',
      reason: 'loadHigh',
      cpus: 2,
      load: [5, 4, 3],
      loadPerCpu: 2.5,
      cpuBusyPercent: 99,
      memoryAvailablePercent: 40,
    });
    bus.publish('trace.analysed', 'traces', {
      fingerprint: 'abcdef0123456789',
      language: 'python',
      exception: 'KeyError',
      topAppFrame: { function: 'run', file: '/srv/app/jobs.py', line: 18 },
    });
    bus.publish('frame.opened', 'traces', {
      remote: { function: 'run', file: '/srv/app/jobs.py', line: 18 },
      local: null,
      reason: 'no mapping',
    });
    await recorder.idle();
    assert.deepEqual(errors, []);

    const timeline = await journal.store.timeline(id);
    assert.deepEqual(
      timeline.map((e) => (e.type === 'event' ? e.name : e.type)),
      ['milestone', 'connection.changed', 'command.started', 'health.sampled', 'trace.analysed', 'frame.opened'],
    );
    const command = timeline[2];
    assert.ok(command.type === 'event' && command.data.command === 'mysql -u app --password [REDACTED] -e "select 1"');
    const files = readdirSync(path.join(root, 'incidents', id, 'timeline'));
    assert.ok(files.every((f) => !readFileSync(path.join(root, 'incidents', id, 'timeline', f), 'utf8').includes('hunter2')));
    assert.ok(
      files.every((f) => /^\d{8}T\d{9}Z-[0-9a-f]{8}\.json$/.test(f)),
      files.join(),
    );

    const incident = await journal.store.read(id);
    const done = incident.steps.flatMap((s) => s.checks.filter((c) => c.done).map((c) => `${s.id}/${c.id}`));
    assert.deepEqual(done, ['identify/connect', 'identify/live-stats', 'identify/load-high', 'localize/module', 'localize/method']);
    const connect = incident.steps[0].checks[0].how;
    assert.ok(connect?.by === 'event' && connect.entry === timeline[1].id && connect.at === '2026-12-02T03:00:00.000Z');
    assert.deepEqual(incident.hosts, ['web-2']);
    assert.deepEqual(
      incident.traces.map((tr) => [tr.fingerprint, tr.appFrames]),
      [['abcdef0123456789', ['run@jobs.py']]],
    );
  });

  it('records nothing while no incident is active, and not the journal’s own events twice', async (t) => {
    const root = tempDir(t, 'ff-incident-');
    const { bus, journal } = setup(root);
    const { id } = await journal.start({ title: 'Quiet', severity: 'SEV4' });
    const state: { active?: string } = {};
    const recorder = new IncidentRecorder(journal, bus, { activeIncident: () => state.active, onError: (e) => assert.fail(String(e)) });
    t.after(() => recorder.dispose());
    bus.publish('log.started', 'follower', { host: 'web-1', path: '/var/log/a.log' });
    state.active = id;
    await journal.note(id, 'maybe the cache', 'hypothesis');
    await recorder.idle();
    assert.deepEqual(
      (await journal.store.timeline(id)).map((e) => e.type),
      ['milestone', 'note'],
    );
  });

  it('keeps a check unticked by hand against later events', async (t) => {
    const root = tempDir(t, 'ff-incident-');
    const { bus, journal } = setup(root);
    const { id } = await journal.start({ title: 'Load', severity: 'SEV3' });
    const recorder = new IncidentRecorder(journal, bus, { activeIncident: () => id, onError: (e) => assert.fail(String(e)) });
    t.after(() => recorder.dispose());
    await journal.setCheckByHand(id, 'identify', 'load-high', false, 'a cron job, not the incident');
    bus.publish('health.sampled', 'health', {
      host: 'web-1',
      reason: 'loadHigh',
      cpus: 1,
      load: [3, 2, 1],
      loadPerCpu: 3,
      cpuBusyPercent: 90,
      memoryAvailablePercent: 50,
    });
    await recorder.idle();
    const check = (await journal.store.read(id)).steps[0].checks.find((c) => c.id === 'load-high');
    assert.deepEqual(check?.how, {
      by: 'hand',
      done: false,
      reason: 'a cron job, not the incident',
      at: '2026-12-02T03:00:00.000Z',
      who: 'alice',
    });
    assert.equal(check?.done, false);
  });

  it('adds the fingerprint of a stack trace pasted into a note, and redacts the note and the events', async (t) => {
    const root = tempDir(t, 'ff-incident-');
    const { journal, bus } = setup(root);
    const payloads: string[] = [];
    bus.onAny((event) => payloads.push(JSON.stringify(event)));
    const { id } = await journal.start({ title: 'Jobs token=abc123def', severity: 'SEV2' });
    await journal.setCheckByHand(id, 'localize', 'repeat', true, 'replayed with password=hunter2 on staging');
    const note = await journal.note(id, `seen with DB_PASSWORD=hunter2 in env:\n${TRACE}`, 'decision');
    assert.ok(note.text.startsWith('seen with DB_PASSWORD=[REDACTED] in env:'));
    const incident = await journal.store.read(id);
    assert.deepEqual(
      incident.traces.map((tr) => tr.fingerprint),
      [findStackTraces(TRACE)[0].fingerprint],
    );
    assert.ok(incident.traces[0].appFrames.includes('run@jobs.py'), incident.traces[0].appFrames.join());
    assert.equal(payloads.length, 3);
    assert.ok(
      payloads.every((p) => !/abc123def|hunter2/.test(p)),
      payloads.join('\n'),
    );
  });

  it('pins an entry by appending, and refuses an unknown one', async (t) => {
    const root = tempDir(t, 'ff-incident-');
    const { journal } = setup(root);
    const { id } = await journal.start({ title: 'Pins', severity: 'SEV4' });
    const note = await journal.note(id, 'the regex backtracks', 'decision');
    await journal.pin(id, note.id);
    await assert.rejects(journal.pin(id, 'nope'), /no timeline entry nope/);
    assert.deepEqual([...pinnedIds(await journal.store.timeline(id))], [note.id]);
    await journal.pin(id, note.id, false);
    assert.deepEqual([...pinnedIds(await journal.store.timeline(id))], []);
  });

  it('lets two writers append at the same moment without a conflict', async (t) => {
    const root = tempDir(t, 'ff-incident-');
    const { journal, clock } = setup(root);
    const { id } = await journal.start({ title: 'Pair', severity: 'SEV3' });
    const other = new IncidentJournal(new IncidentStore(root), { clock, who: 'bob' });
    await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 ? journal : other).note(id, `note ${n}`)));
    const notes = (await journal.store.timeline(id)).filter((e) => e.type === 'note');
    assert.equal(notes.length, 20);
    assert.equal(new Set(notes.map((n) => n.id)).size, 20);
  });

  it('lets two processes append at once without losing an entry', async (t) => {
    const root = tempDir(t, 'ff-incident-');
    const { journal } = setup(root);
    const { id } = await journal.start({ title: 'Two processes', severity: 'SEV3' });
    const writer = (who: string) =>
      new Promise<number | null>((resolve) =>
        spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'noteWriter.ts'), root, id, who, '50'], { stdio: 'inherit' }).on(
          'exit',
          resolve,
        ),
      );
    assert.deepEqual(await Promise.all([writer('alice'), writer('bob')]), [0, 0]);
    const texts = (await journal.store.timeline(id)).flatMap((e) => (e.type === 'note' ? [e.text] : []));
    assert.equal(texts.length, 100);
    for (const who of ['alice', 'bob']) {
      assert.deepEqual(
        texts.filter((text) => text.startsWith(who)),
        Array.from({ length: 50 }, (_, n) => `${who} ${n}`),
        `${who}'s notes, in order`,
      );
    }
  });

  it('refuses ids that are not incident ids, with what to do', async (t) => {
    const { journal } = setup(tempDir(t, 'ff-incident-'));
    await assert.rejects(journal.note('../../etc', 'x'), /not an incident id.*firefighter incidents/);
    await assert.rejects(journal.note('2026-01-01-missing', 'x'), /no incident "2026-01-01-missing"/);
  });
});
