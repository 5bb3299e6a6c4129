// SnapshotSession: successive snapshots of one process as a debug session takes them. The first
// probes (one command); for a CPython target the next ones come from a reader kept alive, which
// ends with the session. SnapshotRuntime ends its source when the debug session ends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { SnapshotRuntime } from '../../../src/core/debug/snapshotRuntime';
import { probeTarget } from '../../../src/core/snapshot/engines';
import { SnapshotSession } from '../../../src/core/snapshot/session';
import { takeSnapshot } from '../../../src/core/snapshot/snapshot';
import { readersOf, startStepper, until } from '../../fixtures/snapshot/python/targets';
import { LocalRunner } from '../../support/localRunner';

test('a CPython session: probe once, then every snapshot from the kept reader; dispose ends it', { timeout: 90_000 }, async (t) => {
  const target = await startStepper('/usr/bin/python3');
  t.after(() => target.stop());
  const runner = new LocalRunner();
  const session = new SnapshotSession(runner, target.pid);
  t.after(() => session.dispose());
  const first = await session.take();
  assert.equal(first.engine, 'python');
  assert.equal(session.engine, 'python');
  assert.equal(first.threads.find((th) => th.id === target.pid)?.frames[1].function, 'phase_one');
  await target.step();
  const second = await session.take();
  assert.equal(second.threads.find((th) => th.id === target.pid)?.frames[1].function, 'phase_two');
  await target.step();
  const third = await session.take();
  assert.equal(third.threads.find((th) => th.id === target.pid)?.frames[1].function, 'phase_three');
  assert.equal(runner.commands.length, 2, 'the probe, then one reader for the snapshots after it');
  assert.match(runner.commands[1], / serve \d+$/);
  assert.equal(readersOf(target.pid).length, 1);
  session.dispose();
  await until(() => readersOf(target.pid).length === 0 && runner.running === 0);
  await assert.rejects(session.take(), /has ended/);
});

test('a kept reader that ended (idle limit, lost channel) is replaced; the snapshot still comes', { timeout: 90_000 }, async (t) => {
  const target = await startStepper('/usr/bin/python3');
  t.after(() => target.stop());
  const runner = new LocalRunner();
  const session = new SnapshotSession(runner, target.pid, { readerOptions: { idleSeconds: 1 } });
  t.after(() => session.dispose());
  await session.take();
  await until(() => runner.commands.length === 2 && runner.running === 0); // started, then ended idle
  const again = await session.take();
  assert.equal(again.threads.find((th) => th.id === target.pid)?.frames[1].function, 'phase_one');
  // a new reader started, and the snapshot taken by one command meanwhile
  await until(() => runner.commands.length === 4);
  assert.deepEqual(
    runner.commands
      .slice(2)
      .map((c) => / serve \d+$/.test(c))
      .sort(),
    [false, true],
  );
});

test('SnapshotRuntime: Continue takes the next snapshot from its source; detaching disposes the source once', async () => {
  let taken = 0;
  let disposed = 0;
  const runtime = new SnapshotRuntime({
    take: async () => ({
      host: 'web-1',
      pid: 4242,
      runtime: 'cpython 3.11',
      engine: 'python',
      pauseMs: 0,
      wallMs: 5,
      takenAt: ++taken,
      threads: [],
    }),
    dispose: () => disposed++,
  });
  await runtime.start();
  await runtime.continue();
  assert.equal(taken, 2);
  assert.equal(runtime.current?.takenAt, 2);
  await runtime.detach();
  runtime.dispose();
  assert.equal(disposed, 1);
});

test(
  'takeSnapshot of a CPython target: the reader answers first and nothing else runs; of another program, the listing follows',
  { timeout: 60_000 },
  async (t) => {
    const target = await startStepper('/usr/bin/python3');
    t.after(() => target.stop());
    const runner = new LocalRunner();
    const python = await takeSnapshot(runner, target.pid);
    assert.equal(python.engine, 'python');
    assert.deepEqual(python.process, { pid: target.pid, runtimeLabel: python.runtime });
    assert.equal(runner.commands.length, 1);

    const other = spawn('tail', ['-f', '/dev/null']);
    t.after(() => other.kill('SIGKILL'));
    const probe = await probeTarget(runner, other.pid!, { readPython: true });
    assert.equal(probe.listed, true);
    assert.ok(probe.listed && probe.process?.command.startsWith('tail -f /dev/null'), JSON.stringify(probe));
    assert.match(probe.python?.stdout ?? '', /"kind":"notPython"/);
  },
);
