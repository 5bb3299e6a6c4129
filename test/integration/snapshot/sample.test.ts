// Sampling and snapshots of CPython targets over real OpenSSH, counted in commands on the pooled
// connection: a sampling run is one command that loops on the host, a snapshot is one command that
// probes and reads, and an aborted run leaves nothing running on the host. The harness host is
// this machine, so the host-side reader is visible in this machine's /proc.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { EventBus, type IncidentEvent } from '../../../src/core/events';
import { sampleProcess } from '../../../src/core/snapshot/sample';
import { takeSnapshot } from '../../../src/core/snapshot/snapshot';
import type { SshPool } from '../../../src/core/ssh/pool';
import { startTarget } from '../../fixtures/snapshot/python/targets';
import { generateKey, makeTempDir, startSshHost, writeSshConfig, type SshHost } from '../../harness';
import { poolFor, onCommandEnded } from '../ssh/support';

let web: SshHost;
let pool: SshPool;

before(async () => {
  const dir = makeTempDir('snapshot-sample-test');
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] });
  const { configFile } = writeSshConfig({ dir, entries: [{ host: web, identityFiles: [userKey.privateKeyPath] }] });
  pool = poolFor(configFile);
});

after(async () => {
  pool.dispose();
  await web.stop();
});

/** Processes of this machine whose command line holds `text`. */
function processesWith(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').includes(text)) found.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

test(
  'sampleProcess of a CPython target over ssh: one command, the spinning function on top, no sleeping thread, a sample.taken event',
  { timeout: 120_000 },
  async (t) => {
    const target = await startTarget('/usr/bin/python3');
    t.after(() => target.stop());
    const bus = new EventBus();
    const events: IncidentEvent<'sample.taken'>[] = [];
    bus.on('sample.taken', (e) => events.push(e));
    const commands: IncidentEvent<'command.ended'>[] = [];
    const runner = await pool.connect('web-1');
    const recorded = onCommandEnded(pool, (c) => commands.push(c));
    t.after(() => recorded.dispose());

    const result = await sampleProcess(runner, target.pid, { seconds: 1, hz: 100, events: bus });

    assert.equal(commands.length, 1, 'one round trip');
    assert.equal(result.engine, 'python');
    assert.equal(result.runtime, 'cpython 3.11');
    assert.equal(result.failures, 0);
    const hottest = result.profile.hottest();
    assert.ok(hottest.length > 0);
    // root first: the spinner thread's stack, whatever line it was on
    assert.ok(
      hottest[0].frames.some((f) => f.function === 'spin'),
      `hottest ${hottest[0].frames.map((f) => f.function)}`,
    );
    assert.ok(
      hottest.every((s) => !s.frames.some((f) => f.function === 'nap' || f.function === 'sleep_deep')),
      'a sleeping thread was counted',
    );
    assert.ok((result.idleStacks ?? 0) > 0);
    assert.deepEqual(
      events.map((e) => [e.host, e.pid, e.engine, e.samples, e.hz]),
      [['web-1', target.pid, 'python', result.profile.samples, 100]],
    );
  },
);

test('an aborted sampling run over ssh stops the loop on the host and returns what it had', { timeout: 120_000 }, async (t) => {
  const target = await startTarget('/usr/bin/python3');
  t.after(() => target.stop());
  const runner = await pool.connect('web-1');
  const controller = new AbortController();
  const marker = `${target.pid} sample 3600 100`;
  const sampling = sampleProcess(runner, target.pid, { seconds: 3600, hz: 100, signal: controller.signal });
  while (processesWith(marker).length === 0) await pause();
  controller.abort();
  const result = await sampling;

  assert.equal(result.engine, 'python');
  // an hour-long run: only the abort can have ended it within the test's time
  while (processesWith(marker).length > 0) await pause();
});

test('a snapshot of a CPython target over ssh is one command that probes and reads', { timeout: 120_000 }, async (t) => {
  const target = await startTarget('/usr/bin/python3');
  t.after(() => target.stop());
  const commands: IncidentEvent<'command.ended'>[] = [];
  const runner = await pool.connect('web-1');
  const recorded = onCommandEnded(pool, (c) => commands.push(c));
  t.after(() => recorded.dispose());

  const snapshot = await takeSnapshot(runner, target.pid);

  assert.equal(commands.length, 1, 'one round trip');
  assert.equal(snapshot.engine, 'python');
  assert.equal(snapshot.process.pid, target.pid);
  assert.equal(snapshot.runtime, 'cpython 3.11');
  assert.deepEqual(
    snapshot.threads.map((th) => th.name),
    ['MainThread', 'sleeper', 'spinner'],
  );
  assert.equal(snapshot.warnings, undefined);
});
