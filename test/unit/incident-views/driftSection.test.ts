// The Incident panel's drift section against fake drift actions: hosts listed unchecked, a check
// shown while it runs then with its files, a failure with its message, diff and bring passed on,
// and nothing at all in a guest's window (no actions, and guideState drops them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DriftActions, DriftOverview } from '../../../src/views/hotfix/driftActions';
import { DriftSection } from '../../../src/views/incident/driftSection';
import { guideState } from '../../../src/views/incident/guideState';

function fakeActions() {
  const calls: string[] = [];
  let release: (overview: DriftOverview) => void = () => undefined;
  const actions: DriftActions = {
    hosts: () => ['web-1', 'web-2'],
    check: (host) => {
      calls.push(`check ${host}`);
      if (host === 'web-2') return Promise.reject(new Error('web-2 has no directory /srv/app. Check "deployDir" for web-2.'));
      return new Promise((resolve) => (release = resolve));
    },
    openDiff: async (host, path) => void calls.push(`diff ${host} ${path}`),
    bring: async (host, path) => void calls.push(`bring ${host} ${path}`),
  };
  return { actions, calls, release: (overview: DriftOverview) => release(overview) };
}

test('hosts start unchecked; a check shows "checking" and then the changed files', async () => {
  const { actions, calls, release } = fakeActions();
  let changes = 0;
  const section = new DriftSection(actions, () => changes++);
  assert.deepEqual(
    section.hosts().map((h) => [h.host, h.state]),
    [
      ['web-1', 'unchecked'],
      ['web-2', 'unchecked'],
    ],
  );
  const checking = section.check('web-1');
  assert.equal(section.hosts()[0].state, 'checking');
  await section.check('web-1'); // a second click while it runs starts nothing
  assert.deepEqual(calls, ['check web-1']);
  release({
    summary: 'web-1 /srv/app at 1a2b3c4: 1 file differs',
    truncated: false,
    changes: [{ path: 'app/views.py', kind: 'modified' }],
  });
  await checking;
  assert.deepEqual(section.hosts()[0], {
    host: 'web-1',
    state: 'checked',
    summary: 'web-1 /srv/app at 1a2b3c4: 1 file differs',
    truncated: false,
    changes: [{ path: 'app/views.py', kind: 'modified' }],
  });
  assert.equal(changes, 2, 'posted when the check started and when it ended');
  await section.diff('web-1', 'app/views.py');
  await section.bring('web-1', 'app/views.py');
  assert.deepEqual(calls.slice(1), ['diff web-1 app/views.py', 'bring web-1 app/views.py']);
});

test('a failed check keeps its message for the panel', async () => {
  const { actions } = fakeActions();
  const section = new DriftSection(actions, () => undefined);
  await section.check('web-2');
  assert.deepEqual(section.hosts()[1], {
    host: 'web-2',
    state: 'failed',
    problem: 'web-2 has no directory /srv/app. Check "deployDir" for web-2.',
    changes: [],
  });
});

test("without actions (a guest's window) there is no drift section, and guideState drops drift for a guest", () => {
  assert.deepEqual(new DriftSection(undefined, () => undefined).hosts(), []);
  const drift = [{ host: 'web-1', state: 'unchecked' as const, changes: [] }];
  assert.deepEqual(guideState({ incident: null, timeline: [], incidents: [], guest: true, drift }).drift, []);
  assert.deepEqual(guideState({ incident: null, timeline: [], incidents: [], guest: false, drift }).drift, drift);
});
