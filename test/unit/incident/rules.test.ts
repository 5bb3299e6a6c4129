import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checksTickedBy } from '../../../src/core/incident/rules';
import { STEP_DEFINITIONS } from '../../../src/core/incident/steps';

const ticks = (name: string, data: Record<string, unknown> = {}) => checksTickedBy({ name, data }).map((t) => `${t.step}/${t.check}`);

describe('event → check rules', () => {
  it('ticks the check each event stands for', () => {
    assert.deepEqual(ticks('connection.changed', { host: 'web-1', state: 'connected' }), ['identify/connect']);
    assert.deepEqual(ticks('health.sampled', { reason: 'first', loadPerCpu: 0.2 }), ['identify/live-stats']);
    assert.deepEqual(ticks('health.sampled', { reason: 'loadHigh', loadPerCpu: 2.5 }), ['identify/live-stats', 'identify/load-high']);
    assert.deepEqual(ticks('log.started', { path: '/var/log/app.log' }), ['identify/logs']);
    assert.deepEqual(ticks('log.excerptSaved', { file: 'e.log', lines: 3 }), ['localize/service']);
    assert.deepEqual(ticks('trace.analysed', { fingerprint: 'f', topAppFrame: { function: 'run', file: 'a.py', line: 3 } }), [
      'localize/module',
      'localize/method',
    ]);
    assert.deepEqual(ticks('trace.analysed', { fingerprint: 'f' }), ['localize/module']);
    assert.deepEqual(ticks('snapshot.taken', { host: 'web-1', pid: 4 }), ['localize/method']);
    assert.deepEqual(ticks('sample.taken', { host: 'web-1', pid: 4 }), ['localize/method']);
    assert.deepEqual(ticks('frame.opened', { local: { file: 'app/jobs.py', line: 18 } }), ['localize/statement']);
    assert.deepEqual(ticks('incident.searched', { query: 'f', found: 0 }), ['hotfix/similar']);
    assert.deepEqual(ticks('hotfix.branchCreated', { branch: 'hotfix/x' }), ['hotfix/change']);
    assert.deepEqual(ticks('hotfix.committed', { commit: 'abc' }), ['hotfix/change']);
    assert.deepEqual(ticks('hotfix.tested', { passed: true, exitCode: 0 }), ['hotfix/test']);
    assert.deepEqual(ticks('hotfix.deployed', { host: 'web-1' }), ['hotfix/deploy']);
    assert.deepEqual(ticks('hotfix.verified', { host: 'web-1', ok: true }), ['hotfix/verify']);
    assert.deepEqual(ticks('incident.writtenUp', { file: 'write-up.md' }), ['write-up/write-up']);
  });

  it('does not tick on events that prove nothing', () => {
    assert.deepEqual(ticks('connection.changed', { state: 'failed', kind: 'auth' }), []);
    assert.deepEqual(ticks('frame.opened', { local: null, reason: 'no mapping' }), []);
    assert.deepEqual(ticks('hotfix.tested', { passed: false, exitCode: 1 }), []);
    assert.deepEqual(ticks('hotfix.verified', { ok: false }), []);
    assert.deepEqual(ticks('command.ended', { exitCode: 0 }), []);
  });

  it('names only checks that exist', () => {
    const all = new Set(STEP_DEFINITIONS.flatMap((s) => s.checks.map((c) => `${s.id}/${c.id}`)));
    const names = [
      'connection.changed',
      'health.sampled',
      'log.started',
      'log.excerptSaved',
      'trace.analysed',
      'snapshot.taken',
      'sample.taken',
      'frame.opened',
      'incident.searched',
      'hotfix.branchCreated',
      'hotfix.tested',
      'hotfix.deployed',
      'hotfix.verified',
      'incident.writtenUp',
    ];
    const data = { state: 'connected', reason: 'loadHigh', topAppFrame: {}, local: {}, passed: true, ok: true };
    for (const name of names) for (const tick of ticks(name, data)) assert.ok(all.has(tick), tick);
  });
});
