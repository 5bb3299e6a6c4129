import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTailCommand } from '../../../src/cli/tail';
import { SshError } from '../../../src/core/ssh/errors';
import type { RemoteRunner } from '../../../src/core/ssh/remote';
import { captureIo } from '../../support/cliIo';
import { LocalRunner } from '../../support/localRunner';
import { tempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';
import { recordEvents } from './recordEvents';

/** The tail's output or the runner's channels, polled every 10 ms for up to 10 s. */
const until = (what: string, predicate: () => boolean) => waitFor(what, predicate, 10_000, 10);

test('tail prints the last N matching lines, follows, and exits 0 when interrupted', async (t) => {
  const dir = tempDir(t, 'ff-tail-');
  const file = join(dir, 'app.log');
  writeFileSync(file, 'INFO a\nERROR b\nINFO c\nERROR d\n');
  const runner = new LocalRunner('web-1');
  const streams = captureIo();
  const exit = makeTailCommand(async () => runner)(['web-1', file, '--lines', '3', '--filter', 'ERR'], streams);
  await until('the last matching lines', () => streams.out() === 'ERROR b\nERROR d\n');
  appendFileSync(file, 'INFO e\nERROR f\n');
  await until('the appended match', () => streams.out() === 'ERROR b\nERROR d\nERROR f\n');
  streams.abort();
  assert.equal(await exit, 0);
  await until('the tail process to end', () => runner.running === 0);
});

test('tail: bad usage exits 2, an unreachable host 3, an unreadable log 1 with the reason', async (t) => {
  const tail = makeTailCommand(async () => assert.fail('must not connect'));
  for (const args of [['web-1'], ['web-1', '/x', '--lines', 'many'], ['web-1', '/x', '--filter', '(('], ['web-1', '/x', '--bogus']]) {
    const streams = captureIo();
    assert.equal(await tail(args, streams), 2, args.join(' '));
    assert.match(streams.err(), /usage: firefighter tail HOST PATH/);
    assert.match(
      streams.err(),
      /exit codes: 0 interrupted, 1 the log cannot be read \(permission denied, not a file\),\n  2 bad usage, 3 cannot connect or authenticate, 4 host key refused\n$/,
    );
  }
  const down = captureIo();
  const refused = makeTailCommand(async (host) => {
    throw new Error(`${host}: connect ECONNREFUSED`);
  });
  assert.equal(await refused(['web-1', '/var/log/syslog'], down), 3);
  assert.equal(down.err(), 'firefighter: web-1: connect ECONNREFUSED\n');

  const dir = tempDir(t, 'ff-tail-');
  const denied = captureIo();
  assert.equal(await makeTailCommand(async () => new LocalRunner('web-1'))(['web-1', dir], denied), 1);
  assert.equal(denied.err(), `firefighter: web-1:${dir} is not a file; choose a log file instead\n`);
});

test('tail follows ~/PATH in the home directory of the ssh user on the host', async (t) => {
  const home = tempDir(t, 'ff-tail-');
  writeFileSync(join(home, 'app.log'), 'one\ntwo\n');
  const local = new LocalRunner('web-1');
  const inHome: RemoteRunner = { host: 'web-1', exec: (c, o) => local.exec(c, o), spawn: (c) => local.spawn(`HOME=${home} ${c}`) };
  const streams = captureIo();
  const exit = makeTailCommand(async () => inHome)(['web-1', '~/app.log'], streams);
  await until('the file in the home directory', () => streams.out() === 'one\ntwo\n');
  streams.abort();
  assert.equal(await exit, 0);
});

test('tail exits 3, or 4 for a host key, when a reconnect cannot log in', async (t) => {
  const dir = tempDir(t, 'ff-tail-');
  writeFileSync(join(dir, 'app.log'), 'x\n');
  for (const [kind, code] of [
    ['auth', 3],
    ['hostKeyChanged', 4],
  ] as const) {
    const local = new LocalRunner('web-1');
    let connects = 0;
    const tail = makeTailCommand(async () => {
      // The first connect succeeds and the channel drops; the login after that is refused.
      if (++connects <= 2) return local;
      throw new SshError(kind, 'web-1', 'web-1 (10.0.0.5:22): refused.');
    });
    const streams = captureIo();
    const exit = tail(['web-1', join(dir, 'app.log')], streams);
    await until('the first line', () => streams.out() === 'x\n');
    local.cut();
    assert.equal(await exit, code, kind);
    assert.match(streams.err(), /firefighter: web-1 \(10\.0\.0\.5:22\): refused\.\n$/);
  }
});

test('tail --lines +K starts at line K; an absurdly large N gives the whole file', async (t) => {
  const dir = tempDir(t, 'ff-tail-');
  const file = join(dir, 'app.log');
  writeFileSync(file, 'one\ntwo\nthree\n');
  for (const [lines, expected] of [
    ['+2', 'two\nthree\n'],
    ['+1', 'one\ntwo\nthree\n'],
    ['99999999999999999999', 'one\ntwo\nthree\n'],
    ['1', 'three\n'],
  ] as const) {
    const streams = captureIo();
    const exit = makeTailCommand(async () => new LocalRunner('web-1'))(['web-1', file, '--lines', lines], streams);
    await until(`the lines of --lines ${lines}`, () => streams.out() === expected);
    streams.abort();
    assert.equal(await exit, 0);
  }
});

test('tail of a device or a /proc file is one clear error, exit 1', async () => {
  for (const path of ['/dev/zero', '/proc/loadavg']) {
    const streams = captureIo();
    assert.equal(await makeTailCommand(async () => new LocalRunner('web-1'))(['web-1', path], streams), 1);
    assert.equal(
      streams.err(),
      `firefighter: web-1:${path} is not a regular file (a device, FIFO or socket, or a /proc or /sys file whose size says nothing); choose a log file instead\n`,
    );
  }
});

test("tail --events: the follower's events of the run", async (t) => {
  const dir = tempDir(t, 'ff-tail-');
  const file = join(dir, 'app.log');
  writeFileSync(file, 'one\n');
  const { published, events } = recordEvents();
  const streams = captureIo();
  const exit = makeTailCommand(async () => new LocalRunner('web-1'), events)(['web-1', file, '--lines', '+1'], streams);
  await until('the line', () => streams.out() === 'one\n');
  streams.abort();
  assert.equal(await exit, 0);
  assert.deepEqual(published, [
    { name: 'log.started', source: 'follower', host: 'web-1', path: file, fromLine: 1 },
    { name: 'log.stopped', source: 'follower', host: 'web-1', path: file, reason: 'stopped' },
  ]);
});
