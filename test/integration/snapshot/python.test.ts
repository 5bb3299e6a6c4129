// The CPython snapshot engine over real OpenSSH: the harness host is this machine, so the targets
// it reads are this test's own processes, reached through the pooled ssh2 connection with the
// reader shipped on the channel's stdin.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventBus, type IncidentEvent } from '../../../src/core/events';
import { readPythonStacks } from '../../../src/core/snapshot/python';
import type { SshPool } from '../../../src/core/ssh/pool';
import { interpreters, startTarget, TARGET_SCRIPT, targetLine } from '../../fixtures/snapshot/python/targets';
import { generateKey, makeTempDir, startSshHost, writeSshConfig, type SshHost } from '../../harness';
import { poolFor, onCommandEnded } from '../ssh/support';

let web: SshHost;
let pool: SshPool;

before(async () => {
  const dir = makeTempDir('snapshot-python-test');
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] });
  const { configFile } = writeSshConfig({ dir, entries: [{ host: web, identityFiles: [userKey.privateKeyPath] }] });
  pool = poolFor(configFile);
});

after(async () => {
  pool.dispose();
  await web.stop();
});

for (const python of interpreters()) {
  test(
    `CPython ${python.version} over ssh: one command on the pooled connection, the stacks, a snapshot.taken event`,
    { timeout: 120_000 },
    async (t) => {
      const target = await startTarget(python.path);
      t.after(() => target.stop());
      const bus = new EventBus();
      const events: IncidentEvent<'snapshot.taken'>[] = [];
      bus.on('snapshot.taken', (e) => events.push(e));
      const commands: IncidentEvent<'command.ended'>[] = [];
      const runner = await pool.connect('web-1');
      const recorded = onCommandEnded(pool, (c) => commands.push(c));
      try {
        const snapshot = await readPythonStacks(runner, target.pid, { events: bus, timeoutMs: 60_000 });
        assert.equal(commands.length, 1);
        assert.equal(commands[0].exitCode, 0);
        assert.equal(snapshot.host, 'web-1');
        assert.equal(snapshot.runtime, `cpython ${python.version}`);
        assert.equal(snapshot.pauseMs, 0);
        const main = snapshot.threads.find((th) => th.id === target.pid);
        assert.deepEqual(
          main?.frames.slice(0, 3).map((f) => [f.function, f.file, f.line]),
          [
            ['sleep_deep', TARGET_SCRIPT, targetLine('# main-sleep')],
            ['middle', TARGET_SCRIPT, targetLine('    sleep_deep()')],
            ['outer', TARGET_SCRIPT, targetLine('    middle()')],
          ],
        );
        assert.deepEqual(
          snapshot.threads.map((th) => th.name),
          ['MainThread', 'sleeper', 'spinner'],
        );
        assert.deepEqual(
          events.map((e) => [e.name, e.source, e.host, e.pid, e.engine, e.threads, e.pauseMs, e.wallMs]),
          [['snapshot.taken', 'snapshot', 'web-1', target.pid, 'python', 3, 0, snapshot.wallMs]],
        );
      } finally {
        recorded.dispose();
      }
    },
  );
}
