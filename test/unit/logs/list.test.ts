import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listLogFiles } from '../../../src/core/logs/list';
import type { RemoteRunner } from '../../../src/core/ssh/remote';
import { LocalRunner } from '../../support/localRunner';
import { tempDir } from '../../support/tempDir';

test('log globs expand on the host in one exec, newest first with sizes', async (t) => {
  const dir = tempDir(t, 'ff-list-');
  mkdirSync(join(dir, 'app', 'deep'), { recursive: true });
  chmodSync(dir, 0o755);
  const files: [string, number, number][] = [
    ['app/old.log', 10, 1_000_000],
    ['app/deep/new.log', 2000, 3_000_000],
    ['syslog', 300, 2_000_000],
    ['app/notes.txt', 5, 4_000_000],
    ['with space.log', 1, 500_000],
  ];
  for (const [name, size, mtime] of files) {
    writeFileSync(join(dir, name), 'x'.repeat(size));
    utimesSync(join(dir, name), mtime, mtime);
  }
  chmodSync(join(dir, 'syslog'), 0o600);
  const local = new LocalRunner('box');
  const asNobody: RemoteRunner = { host: 'box', exec: (c, o) => local.exec(`runuser -u nobody -- ${c}`, o), spawn: (c) => local.spawn(c) };
  const entries = await listLogFiles(asNobody, [`${dir}/**/*.log`, `${dir}/syslog`, `${dir}/nothing/*.log`]);
  assert.equal(local.commands.length, 1);
  assert.deepEqual(entries, [
    { path: join(dir, 'app/deep/new.log'), sizeBytes: 2000, modifiedMs: 3_000_000_000, readable: true },
    { path: join(dir, 'syslog'), sizeBytes: 300, modifiedMs: 2_000_000_000, readable: false },
    { path: join(dir, 'app/old.log'), sizeBytes: 10, modifiedMs: 1_000_000_000, readable: true },
    { path: join(dir, 'with space.log'), sizeBytes: 1, modifiedMs: 500_000_000, readable: true },
  ]);
});

test('with more files than the limit, the newest are kept, whatever their names', async (t) => {
  const dir = tempDir(t, 'ff-list-');
  const files: [string, number][] = [
    ['a.log', 1_000_000],
    ['b.log', 2_000_000],
    ['y.log', 4_000_000],
    ['z.log', 3_000_000],
  ];
  for (const [name, mtime] of files) {
    writeFileSync(join(dir, name), 'x');
    utimesSync(join(dir, name), mtime, mtime);
  }
  const entries = await listLogFiles(new LocalRunner('box'), [`${dir}/*.log`], 2);
  assert.deepEqual(
    entries.map((e) => e.path),
    [join(dir, 'y.log'), join(dir, 'z.log')],
  );
});

test("a glob starting ~/ lists files under the ssh user's home", async (t) => {
  const home = tempDir(t, 'ff-list-');
  mkdirSync(join(home, 'app', 'logs'), { recursive: true });
  writeFileSync(join(home, 'app', 'logs', 'api.log'), 'x');
  writeFileSync(join(home, 'app', 'worker.log'), 'x');
  const local = new LocalRunner('box');
  const withHome: RemoteRunner = { host: 'box', exec: (c, o) => local.exec(`HOME='${home}' ${c}`, o), spawn: (c) => local.spawn(c) };
  const entries = await listLogFiles(withHome, ['~/app/**/*.log']);
  assert.deepEqual(entries.map((e) => e.path).sort(), [join(home, 'app/logs/api.log'), join(home, 'app/worker.log')]);
  assert.deepEqual(
    (await listLogFiles(withHome, ['~/app/*.log'])).map((e) => e.path),
    [join(home, 'app/worker.log')],
  );
});

test('a host that cannot list its logs gets an error saying which host, what failed and what to check', async () => {
  const broken: RemoteRunner = {
    host: 'web-1',
    exec: async () => ({ exitCode: 127, signal: null, stdout: '', stderr: 'sh: 1: find: not found' }),
    spawn: async () => assert.fail('not used'),
  };
  await assert.rejects(listLogFiles(broken, ['/var/log/**/*.log']), {
    message:
      'web-1: could not list the log files matching /var/log/**/*.log (sh: 1: find: not found). Check that the ssh user\'s shell there runs sh, find and stat, and the host\'s "logs" globs in .vscode/hosts.json; or type a path to follow.',
  });
});
