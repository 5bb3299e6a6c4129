// The production guard's decision (guest → refuse, production → ask, else run) and what it
// records: one guard.answered per question, with the action, the answer and who gave it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../../../src/core/events/bus';
import type { IncidentEvent } from '../../../src/core/events/types';
import { guardDecision, ProductionGuard, type GuardRequest } from '../../../src/core/guard/productionGuard';

const prod = { name: 'web-1', production: true };
const staging = { name: 'stage-1', production: false };

function guard(answers: (string | undefined)[], guest = false) {
  const events: IncidentEvent[] = [];
  const asked: { message: string; answers: readonly string[] }[] = [];
  const bus = new EventBus();
  bus.onAny((event) => events.push(event));
  const g = new ProductionGuard({
    ask: async (question) => {
      asked.push(question);
      return answers.shift();
    },
    events: bus,
    who: 'ana',
    guest: () => guest,
  });
  return { g, events, asked };
}

const deploy = (host = prod): GuardRequest => ({
  host,
  action: 'deploy hotfix/x (abc1234)',
  detail: 'Deploying runs its deployCommand there.',
  allow: 'Deploy',
  alternatives: ['Not now'],
});

describe('guardDecision', () => {
  it('asks on production, runs elsewhere, and refuses everything in a guest window', () => {
    assert.deepEqual(guardDecision(prod, { guest: false }), { kind: 'ask' });
    assert.deepEqual(guardDecision(staging, { guest: false }), { kind: 'run' });
    for (const host of [prod, staging]) {
      const decision = guardDecision(host, { guest: true });
      assert.equal(decision.kind, 'refuse');
      assert.match((decision as { reason: string }).reason, new RegExp(`Live Share guest.*nothing runs on ${host.name}`));
    }
  });
});

describe('ProductionGuard', () => {
  it('asks on a production host, naming it, and records the allowing answer with who gave it', async () => {
    const { g, events, asked } = guard(['Deploy']);
    assert.deepEqual(await g.confirm(deploy()), { allowed: true, answer: 'Deploy' });
    assert.equal(asked.length, 1);
    assert.match(asked[0].message, /^web-1 is a production host\. Deploying runs/);
    assert.deepEqual(asked[0].answers, ['Deploy', 'Not now']);
    assert.equal(events.length, 1);
    const { at, ...event } = events[0];
    assert.ok(at > 0);
    assert.deepEqual(event, {
      name: 'guard.answered',
      source: 'guard',
      host: 'web-1',
      action: 'deploy hotfix/x (abc1234)',
      allowed: true,
      by: 'ana',
      answer: 'Deploy',
    });
  });

  it('an alternative or a dismissed question does not allow it, and is recorded as refused', async () => {
    const { g, events } = guard(['Not now', undefined]);
    assert.deepEqual(await g.confirm(deploy()), { allowed: false, answer: 'Not now' });
    assert.deepEqual(await g.confirm(deploy()), { allowed: false });
    assert.deepEqual(
      events.map((e) => (e as IncidentEvent<'guard.answered'>).allowed),
      [false, false],
    );
  });

  it('a host not tagged production runs without a question or an event', async () => {
    const { g, events, asked } = guard([]);
    assert.deepEqual(await g.confirm(deploy(staging)), { allowed: true });
    assert.equal(asked.length, 0);
    assert.equal(events.length, 0);
  });

  it("a Live Share guest's window refuses without asking, on any host", async () => {
    const { g, events, asked } = guard(['Deploy'], true);
    for (const host of [prod, staging]) {
      const answer = await g.confirm(deploy(host));
      assert.equal(answer.allowed, false);
      assert.match(answer.refused ?? '', /guest/);
    }
    assert.equal(asked.length, 0);
    assert.equal(events.length, 0);
  });
});
