// What the Incident panel shows, from real incident files written through the journal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../../src/core/events';
import { IncidentJournal } from '../../../src/core/incident/journal';
import { IncidentRecorder } from '../../../src/core/incident/recorder';
import { IncidentStore } from '../../../src/core/incident/store';
import { ManualClock } from '../../../src/core/util/clock';
import { guideState } from '../../../src/views/incident/guideState';
import { tempDir } from '../../support/tempDir';

async function incidentWithWork(t: Parameters<typeof tempDir>[0]) {
  const clock = new ManualClock(Date.parse('2026-12-02T03:00:00Z'));
  const bus = new EventBus(clock);
  const store = new IncidentStore(tempDir(t, 'guide-'));
  const journal = new IncidentJournal(store, { clock, events: bus, who: 'ana' });
  const incident = await journal.start({ title: 'Checkout times out', severity: 'SEV2', hosts: ['web-1'], commander: 'ana' });
  const recorder = new IncidentRecorder(journal, bus, { activeIncident: () => incident.id, onError: (e) => assert.fail(String(e)) });
  clock.advance(60_000);
  bus.publish('connection.changed', 'pool', { host: 'web-1', state: 'connected' });
  bus.publish('health.sampled', 'health', {
    host: 'web-1',
    reason: 'first',
    cpus: 2,
    load: [0.5, 0.4, 0.3],
    loadPerCpu: 0.25,
    cpuBusyPercent: 20,
    memoryAvailablePercent: 60,
  });
  clock.advance(60_000);
  bus.publish('health.sampled', 'health', {
    host: 'web-1',
    reason: 'loadHigh',
    cpus: 2,
    load: [3, 1, 0.5],
    loadPerCpu: 1.5,
    cpuBusyPercent: 99,
    memoryAvailablePercent: 55,
  });
  bus.publish('log.excerptSaved', 'logs', {
    host: 'web-1',
    path: '/var/log/checkout.log',
    file: 'incidents/evidence/web-1-checkout.log',
    lines: 10,
  });
  bus.publish('command.ended', 'pool', { host: 'web-1', id: '1', command: 'uptime', durationMs: 3, exitCode: 0 });
  await recorder.idle();
  const note = await journal.note(incident.id, '<script>alert(1)</script> \u001b]52;c;aGk=\u0007 regex backtracking?', 'hypothesis');
  await journal.pin(incident.id, note.id);
  return { store, id: incident.id };
}

test('the panel shows the current step, how checks were ticked, and what to try next', async (t) => {
  const { store, id } = await incidentWithWork(t);
  const state = guideState({ incident: await store.read(id), timeline: await store.timeline(id), incidents: [], guest: false });
  const identify = state.incident!.steps[0];
  assert.equal(identify.current, true, 'step 1 is the current step while a check of it is open');
  assert.deepEqual(
    identify.checks.map((c) => [c.id, c.done]),
    [
      ['connect', true],
      ['live-stats', true],
      ['load-high', true],
      ['logs', false],
    ],
  );
  assert.match(identify.checks[2].how, /^ticked by health\.sampled at 03:02$/);
  assert.match(identify.checks[3].hint, /Tail Log/);
  assert.equal(state.incident!.commander, 'ana');
  assert.equal(state.incident!.steps[1].checks.find((c) => c.id === 'service')?.done, true, 'the saved excerpt localizes the service');
});

test('the timeline keeps host text as data, marks pins and points at evidence; the load chart follows the samples', async (t) => {
  const { store, id } = await incidentWithWork(t);
  const state = guideState({ incident: await store.read(id), timeline: await store.timeline(id), incidents: [], guest: false });
  const note = state.timeline.find((item) => item.kind === 'note')!;
  assert.equal(note.noteKind, 'hypothesis');
  assert.equal(note.pinned, true);
  assert.ok(note.label.includes('<script>alert(1)</script>'), 'markup is kept as text for the webview to show');
  assert.ok(!/[\u0007\u001b]/.test(note.label), 'escape sequences do not reach the panel');
  const excerpt = state.timeline.find((item) => item.name === 'log.excerptSaved')!;
  assert.equal(excerpt.evidence, 'web-1-checkout.log');
  assert.equal(excerpt.host, 'web-1');
  assert.ok(
    state.timeline.some((item) => item.name === 'command.ended'),
    'commands are on the timeline (the panel hides them unless asked)',
  );
  assert.deepEqual(state.loads, [
    {
      host: 'web-1',
      points: [
        { at: Date.parse('2026-12-02T03:01:00Z'), loadPerCpu: 0.25 },
        { at: Date.parse('2026-12-02T03:02:00Z'), loadPerCpu: 1.5 },
      ],
    },
  ]);
});

test('no active incident: nothing but the list to choose from', async (t) => {
  const { store, id } = await incidentWithWork(t);
  const state = guideState({
    incident: null,
    timeline: await store.timeline(id),
    incidents: [{ id, title: 'Checkout times out', status: 'active' }],
    guest: true,
  });
  assert.equal(state.incident, null);
  assert.deepEqual(state.timeline, []);
  assert.equal(state.guest, true);
  assert.equal(state.incidents.length, 1);
});
