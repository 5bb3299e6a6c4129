// The hotfix branch in a real git repository: created at the deployed commit, refused over
// uncommitted changes, and its commits and merge recorded as incident events (polled on a ManualClock).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EventBus } from '../../../src/core/events/bus';
import type { IncidentEvent } from '../../../src/core/events/types';
import { HotfixError, startHotfix } from '../../../src/core/hotfix/branch';
import { HotfixWatcher } from '../../../src/core/hotfix/watcher';
import { ManualClock } from '../../../src/core/util/clock';
import { initGitRepo } from '../../support/gitRepo';
import { tempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';

function repoWithHistory(dir: string) {
  const git = initGitRepo(dir);
  writeFileSync(path.join(dir, 'app.py'), 'v = 1\n');
  git('add', '.');
  git('commit', '-q', '-m', 'release 1');
  const deployed = git('rev-parse', 'HEAD');
  git('tag', 'v1');
  writeFileSync(path.join(dir, 'app.py'), 'v = 2\n');
  git('commit', '-q', '-am', 'after the deploy');
  return { git, deployed };
}

function recorder() {
  const bus = new EventBus(new ManualClock());
  const events: IncidentEvent[] = [];
  bus.onAny((event) => events.push(event));
  return { bus, events };
}

test('startHotfix creates hotfix/<incident> at the deployed revision, checks it out and publishes hotfix.branchCreated', async (t) => {
  const dir = tempDir(t, 'hotfix-');
  const { git, deployed } = repoWithHistory(dir);
  const { bus, events } = recorder();
  const started = await startHotfix({ repo: dir, incident: '2026-12-02-checkout', revision: 'v1', events: bus });
  assert.deepEqual(started, { branch: 'hotfix/2026-12-02-checkout', commit: deployed, created: true, previousBranch: 'main' });
  assert.equal(git('symbolic-ref', '--short', 'HEAD'), 'hotfix/2026-12-02-checkout');
  assert.equal(git('rev-parse', 'HEAD'), deployed);
  assert.deepEqual(
    events.map((e) => [e.name, e.source, 'branch' in e ? e.branch : '', 'fromRevision' in e ? e.fromRevision : '']),
    [['hotfix.branchCreated', 'hotfix', 'hotfix/2026-12-02-checkout', deployed]],
  );
  // Starting it again only checks the branch out: nothing new to record.
  git('checkout', '-q', 'main');
  const again = await startHotfix({ repo: dir, incident: '2026-12-02-checkout', revision: 'v1', events: bus });
  assert.equal(again.created, false);
  assert.equal(events.length, 1);
  assert.equal(git('symbolic-ref', '--short', 'HEAD'), 'hotfix/2026-12-02-checkout');
});

test('startHotfix refuses over uncommitted changes, naming them, and leaves the branch alone', async (t) => {
  const dir = tempDir(t, 'hotfix-');
  const { git } = repoWithHistory(dir);
  writeFileSync(path.join(dir, 'app.py'), 'v = 3\n');
  writeFileSync(path.join(dir, 'untracked.txt'), 'not in the way\n');
  await assert.rejects(
    startHotfix({ repo: dir, incident: 'inc-1', revision: 'v1' }),
    (error: Error) => error instanceof HotfixError && /has uncommitted changes \(app\.py\); commit or stash them/.test(error.message),
  );
  assert.equal(git('symbolic-ref', '--short', 'HEAD'), 'main');
  assert.equal(git('branch', '--list', 'hotfix/*'), '');
});

test('startHotfix says to fetch when the deployed revision is not in the repository, and rejects a bad incident id', async (t) => {
  const dir = tempDir(t, 'hotfix-');
  repoWithHistory(dir);
  await assert.rejects(
    startHotfix({ repo: dir, incident: 'inc-1', revision: '0f'.repeat(20), host: 'web-1' }),
    /web-1 runs revision 0f0f.*git fetch --all/,
  );
  await assert.rejects(startHotfix({ repo: dir, incident: 'a..b', revision: 'v1' }), /cannot be part of a git branch name/);
});

test('the watcher publishes each commit on the hotfix branch once, then its merge into main', async (t) => {
  const dir = tempDir(t, 'hotfix-');
  const { git, deployed } = repoWithHistory(dir);
  const { bus, events } = recorder();
  const started = await startHotfix({ repo: dir, incident: 'inc-7', revision: deployed, events: bus });
  const clock = new ManualClock();
  const watcher = new HotfixWatcher({
    repo: dir,
    incident: 'inc-7',
    branch: started.branch,
    from: started.commit,
    into: started.previousBranch,
    clock,
    intervalMs: 1000,
    events: bus,
  });
  t.after(() => watcher.dispose());
  await watcher.start();
  await watcher.poll();
  assert.deepEqual(
    events.map((e) => e.name),
    ['hotfix.branchCreated'],
    'the start commit is not a hotfix commit, nor merged',
  );

  writeFileSync(path.join(dir, 'app.py'), 'v = 1  # fixed\n');
  git('commit', '-q', '-am', 'guard the division');
  writeFileSync(path.join(dir, 'test.py'), 'assert True\n');
  git('add', 'test.py');
  git('commit', '-q', '-m', 'regression test');
  const commits = git('rev-list', '--reverse', `${deployed}..HEAD`).split('\n');
  clock.advance(1000);
  await waitFor('two hotfix.committed events', () => events.filter((e) => e.name === 'hotfix.committed').length === 2);
  const committed = events.filter((e): e is IncidentEvent<'hotfix.committed'> => e.name === 'hotfix.committed');
  assert.deepEqual(
    committed.map((e) => [e.commit, e.message, e.branch, e.incident]),
    [
      [commits[0], 'guard the division', 'hotfix/inc-7', 'inc-7'],
      [commits[1], 'regression test', 'hotfix/inc-7', 'inc-7'],
    ],
  );

  git('checkout', '-q', 'main');
  git('merge', '-q', '--no-edit', '-X', 'theirs', 'hotfix/inc-7');
  await watcher.poll();
  await watcher.poll();
  const merged = events.filter((e): e is IncidentEvent<'hotfix.merged'> => e.name === 'hotfix.merged');
  assert.deepEqual(
    merged.map((e) => [e.branch, e.into, e.commit]),
    [['hotfix/inc-7', 'main', commits[1]]],
  );
  assert.equal(events.filter((e) => e.name === 'hotfix.committed').length, 2);
});
