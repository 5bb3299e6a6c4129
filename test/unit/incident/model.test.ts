import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  closeIncident,
  currentStep,
  eventMayTick,
  IncidentError,
  newIncident,
  setCheck,
  setMilestone,
} from '../../../src/core/incident/model';
import { STEP_DEFINITIONS } from '../../../src/core/incident/steps';

const T0 = '2026-12-02T03:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const fresh = () =>
  newIncident(
    { id: '2026-12-02-checkout', title: ' Checkout timeouts ', severity: 'SEV2', hosts: ['web-1', 'web-1'], commander: 'alice' },
    T0,
  );

describe('incident model', () => {
  it('starts active, detected now, with the four steps and nothing ticked', () => {
    const incident = fresh();
    assert.equal(incident.title, 'Checkout timeouts');
    assert.equal(incident.status, 'active');
    assert.deepEqual(incident.milestones, { detected: T0, localized: null, mitigated: null, resolved: null });
    assert.deepEqual(incident.hosts, ['web-1']);
    assert.deepEqual(incident.roles, [{ role: 'commander', who: 'alice' }]);
    assert.deepEqual(
      incident.steps.map((s) => [s.id, s.checks.length]),
      STEP_DEFINITIONS.map((s) => [s.id, s.checks.length]),
    );
    assert.deepEqual(
      incident.steps[1].checks.map((c) => c.id),
      ['service', 'module', 'method', 'statement', 'repeat'],
    );
    assert.ok(incident.steps.every((s) => s.checks.every((c) => !c.done && c.how === null)));
    assert.equal(currentStep(incident), 'identify');
  });

  it('refuses an empty title and a detection in the future', () => {
    assert.throws(() => newIncident({ id: 'x', title: '  ', severity: 'SEV1' }, T0), IncidentError);
    assert.throws(() => newIncident({ id: 'x', title: 't', severity: 'SEV1', detectedAt: at(1) }, T0), /in the future/);
  });

  it('moves milestones and status forward', () => {
    let incident = setMilestone(fresh(), 'localized', at(10));
    incident = setMilestone(incident, 'mitigated', at(20));
    assert.equal(incident.status, 'mitigated');
    incident = setMilestone(incident, 'resolved', at(30));
    assert.equal(incident.status, 'resolved');
    assert.equal(closeIncident(incident).status, 'closed');
  });

  it('refuses milestones that would go backwards in time, or twice', () => {
    const mitigated = setMilestone(fresh(), 'mitigated', at(20));
    assert.throws(() => setMilestone(mitigated, 'resolved', at(19)), /before mitigated/);
    assert.throws(() => setMilestone(mitigated, 'localized', at(21)), /after mitigated/);
    assert.throws(() => setMilestone(mitigated, 'localized', at(-1)), /before detected/);
    assert.throws(() => setMilestone(mitigated, 'mitigated', at(25)), /already mitigated/);
    // Filling in a skipped milestone between two others is allowed, and never moves status back.
    const resolved = setMilestone(mitigated, 'resolved', at(30));
    const localized = setMilestone(resolved, 'localized', at(10));
    assert.equal(localized.milestones.localized, at(10));
    assert.equal(localized.status, 'resolved');
  });

  it('closes only a resolved incident', () => {
    assert.throws(() => closeIncident(setMilestone(fresh(), 'mitigated', at(5))), /set the resolved milestone/);
  });

  it('ticks checks by event or by hand with a reason; a hand untick holds against later events', () => {
    let incident = setCheck(fresh(), 'identify', 'connect', { by: 'event', event: 'connection.changed', entry: 'e1', at: at(1) });
    assert.equal(incident.steps[0].checks[0].done, true);
    assert.equal(eventMayTick(incident, 'identify', 'connect'), false, 'the first event is the evidence');
    assert.throws(() => setCheck(incident, 'identify', 'live-stats', { by: 'hand', done: true, reason: ' ', at: at(2) }), /needs a reason/);
    assert.throws(
      () => setCheck(incident, 'identify', 'nope', { by: 'hand', done: true, reason: 'x', at: at(2) }),
      /no check "identify\/nope"/,
    );
    incident = setCheck(incident, 'identify', 'load-high', { by: 'hand', done: false, reason: 'load is fine, 0.3 per CPU', at: at(3) });
    assert.equal(eventMayTick(incident, 'identify', 'load-high'), false);
    assert.equal(eventMayTick(incident, 'identify', 'live-stats'), true);
  });
});
