// The kept CPython reader over real OpenSSH, on every local CPython: one channel on the pooled
// connection answers successive snapshots of a target whose stacks change between them, with
// OS thread names, and nothing is left running on the host once it is closed or its session
// ends (the harness host is this machine, so its processes are this test's to inspect).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { PythonStacksReader } from '../../../src/core/snapshot/pythonReader';
import { SnapshotSession } from '../../../src/core/snapshot/session';
import type { SnapshotThread } from '../../../src/core/snapshot/types';
import type { SshPool } from '../../../src/core/ssh/pool';
import { interpreters, readersOf, startStepper, STEPPER_SCRIPT, stepperLine, until } from '../../fixtures/snapshot/python/targets';
import { generateKey, makeTempDir, startSshHost, writeSshConfig, type SshHost } from '../../harness';
import { poolFor } from '../ssh/support';

let web: SshHost;
let pool: SshPool;

before(async () => {
  const dir = makeTempDir('snapshot-reader-test');
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] });
  const { configFile } = writeSshConfig({ dir, entries: [{ host: web, identityFiles: [userKey.privateKeyPath] }] });
  pool = poolFor(configFile);
});

after(async () => {
  pool.dispose();
  await web.stop();
});

const main = (threads: SnapshotThread[], pid: number) => threads.find((th) => th.id === pid)?.frames ?? [];

for (const python of interpreters()) {
  test(
    `CPython ${python.version} over ssh: a kept reader answers fresh stacks for each snapshot, then exits`,
    { timeout: 120_000 },
    async (t) => {
      const target = await startStepper(python.path);
      t.after(() => target.stop());
      const runner = await pool.connect('web-1');
      const reader = await PythonStacksReader.start(runner, target.pid);
      t.after(() => reader.close());
      const timeoutMs = 60_000;

      const first = await reader.snapshot({ timeoutMs });
      assert.equal(first.runtime, `cpython ${python.version}`);
      assert.deepEqual(
        main(first.threads, target.pid)
          .slice(0, 2)
          .map((f) => [f.function, f.file, f.line]),
        [
          ['wait_for_line', STEPPER_SCRIPT, stepperLine('if not sys.stdin.readline()')],
          ['phase_one', STEPPER_SCRIPT, stepperLine('# phase-one-wait')],
        ],
      );
      assert.deepEqual(
        first.threads.map((th) => [th.id, th.name]),
        [[target.pid, 'MainThread']],
      );

      await target.step();
      const second = await reader.snapshot({ timeoutMs });
      assert.deepEqual(
        main(second.threads, target.pid)
          .slice(0, 3)
          .map((f) => [f.function, f.line]),
        [
          ['wait_for_line', stepperLine('if not sys.stdin.readline()')],
          ['phase_two', stepperLine('# phase-two-wait')],
          ['phase_one', stepperLine('    phase_two()')],
        ],
      );

      const { late } = await target.step();
      const third = await reader.snapshot({ timeoutMs });
      assert.deepEqual(
        main(third.threads, target.pid)
          .slice(1, 3)
          .map((f) => f.function),
        ['phase_three', 'phase_two'],
      );
      const lateThread = third.threads.find((th) => th.id === late);
      assert.ok(lateThread, `the thread started since the last snapshot: ${JSON.stringify(third.threads.map((th) => th.id))}`);
      assert.equal(lateThread.frames[0].function, 'late');
      assert.equal(lateThread.frames[0].line, stepperLine('# late-sleep'));
      assert.equal(lateThread.name, readFileSync(`/proc/${target.pid}/task/${late}/comm`, 'utf8').trim());
      assert.deepEqual(
        third.threads.map((th) => th.id),
        [target.pid, late],
      );

      assert.equal(readersOf(target.pid).length, 1, 'one reader on the host');
      reader.close();
      await reader.ended;
      await until(() => readersOf(target.pid).length === 0);
    },
  );
}

test(
  'over ssh: a snapshot session probes once, reads with its kept reader, and leaves nothing when disposed',
  { timeout: 120_000 },
  async (t) => {
    const target = await startStepper('/usr/bin/python3');
    t.after(() => target.stop());
    const session = new SnapshotSession(await pool.connect('web-1'), target.pid);
    t.after(() => session.dispose());
    const first = await session.take();
    assert.equal(first.engine, 'python');
    await target.step();
    const second = await session.take();
    assert.equal(main(second.threads, target.pid)[1]?.function, 'phase_two');
    assert.equal(readersOf(target.pid).length, 1);
    session.dispose();
    await until(() => readersOf(target.pid).length === 0);
  },
);

test('over ssh: a kept reader exits when the connection is lost', { timeout: 120_000 }, async (t) => {
  const target = await startStepper('/usr/bin/python3');
  t.after(() => target.stop());
  const reader = await PythonStacksReader.start(await pool.connect('web-1'), target.pid);
  t.after(() => reader.close());
  await reader.snapshot({ timeoutMs: 60_000 });
  assert.equal(readersOf(target.pid).length, 1);
  pool.disconnect('web-1');
  await reader.ended;
  await until(() => readersOf(target.pid).length === 0);
});
