import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { LogFollower, type FollowerNotice, type LogFollowerOptions } from '../../../src/core/logs/follower';
import { SshError, type SshErrorKind } from '../../../src/core/ssh/errors';
import type { RemoteRunner } from '../../../src/core/ssh/remote';
import { LocalRunner } from '../../support/localRunner';
import { tempDir as makeTempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';

const tempDir = (t: TestContext) => makeTempDir(t, 'ff-follow-');
const until = (what: string, predicate: () => boolean, timeoutMs = 60_000) => waitFor(what, predicate, timeoutMs, 10);

function follow(t: TestContext, path: string, options: Partial<LogFollowerOptions> = {}, runner = new LocalRunner('box')) {
  const lines: string[] = [];
  const notices: FollowerNotice[] = [];
  const follower = new LogFollower({
    host: 'box',
    path,
    connect: async () => runner,
    pollSeconds: 0.05,
    backoff: { initialMs: 20, maxMs: 200 },
    ...options,
  });
  follower.onDidAppend((batch) => lines.push(...batch));
  follower.onDidNotice((n) => notices.push(n));
  t.after(() => follower.dispose());
  return { follower, lines, notices, runner };
}

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);
const text = (from: number, to: number) =>
  numbered(from, to)
    .map((l) => `${l}\n`)
    .join('');

test('starts with the last N lines, then follows; a partial line waits for its end', async (t) => {
  const file = join(tempDir(t), 'app.log');
  writeFileSync(file, text(1, 50));
  const { lines, follower } = follow(t, file, { startLines: 5 });
  await until('last 5 lines', () => lines.length === 5);
  assert.deepEqual(lines, numbered(46, 50));
  appendFileSync(file, 'line 51\nline 5');
  await until('line 51', () => lines.length === 6);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(lines.slice(5), ['line 51']);
  appendFileSync(file, '2 completed\n');
  await until('completed line', () => lines.length === 7);
  assert.equal(lines[6], 'line 52 completed');
  assert.equal(follower.state, 'following');
  assert.deepEqual(follower.buffer.lines(), lines);
});

test('invalid UTF-8, binary bytes, CRLF and over-long lines are shown safely', async (t) => {
  const file = join(tempDir(t), 'odd.log');
  writeFileSync(file, '');
  const { lines: raw, follower } = follow(t, file, { maxLineBytes: 100 });
  await until('following', () => follower.state === 'following');
  appendFileSync(
    file,
    Buffer.concat([
      Buffer.from('bad \xff\xfe utf8\n', 'latin1'),
      Buffer.from('bell\x07 esc\x1b]0;title\x07 nul\x00 \x1b[31mred\x1b[0m\r\n', 'latin1'),
      Buffer.from(`${'é'.repeat(80)}\n`), // 160 bytes: cut at 100 without splitting a character
      Buffer.from(`${'x'.repeat(250)}\n`),
      Buffer.from('after\n'),
    ]),
  );
  await until('five lines', () => raw.length === 5);
  // Lines arrive decoded; what is shown (buffer, terminal) has the control characters made visible.
  assert.equal(raw[1], 'bell\x07 esc\x1b]0;title\x07 nul\x00 \x1b[31mred\x1b[0m\r');
  const lines = follower.buffer.lines();
  assert.equal(lines[0], 'bad \ufffd\ufffd utf8');
  assert.equal(lines[1], 'bell\u2407 esc\u241b]0;title\u2407 nul\u2400 red');
  assert.equal(lines[2], `${'é'.repeat(50)} … [line cut: 60 more bytes]`);
  assert.equal(lines[3], `${'x'.repeat(100)} … [line cut: 150 more bytes]`);
  assert.equal(lines[4], 'after');
  for (const line of lines) assert.doesNotMatch(line, /[\x00-\x08\x0a-\x1f\x7f]/);
});

test('a line longer than the cap arriving in pieces is cut once, and following goes on', async (t) => {
  const file = join(tempDir(t), 'long.log');
  writeFileSync(file, '');
  const { lines, follower } = follow(t, file, { maxLineBytes: 1000 });
  await until('following', () => follower.state === 'following');
  for (let i = 0; i < 5; i++) {
    appendFileSync(file, 'y'.repeat(700));
    await new Promise((r) => setTimeout(r, 80));
  }
  appendFileSync(file, '\nnext\n');
  await until('two lines', () => lines.length === 2);
  assert.deepEqual(lines, [`${'y'.repeat(1000)} … [line cut: 2500 more bytes]`, 'next']);
});

test('cut connections resume at the byte offset: every line once, in order', async (t) => {
  const file = join(tempDir(t), 'busy.log');
  writeFileSync(file, '');
  const { lines, runner, notices, follower } = follow(t, file);
  await until('following', () => follower.state === 'following');
  let written = 0;
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < 20; i++) {
      appendFileSync(file, text(written + 1, written + 50));
      written += 50;
      await new Promise((r) => setTimeout(r, 2));
    }
    runner.cut();
  }
  await until(`${written} lines`, () => lines.length >= written, 20_000);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(lines, numbered(1, written));
  assert.ok(notices.some((n) => n.kind === 'reconnecting'));
  assert.ok(notices.some((n) => n.kind === 'resumed'));
});

test('rename+create rotation: the old file is drained, then the new one read from its start', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'app.log');
  writeFileSync(file, text(1, 10));
  const { lines, notices, follower } = follow(t, file, { startLines: 0 });
  await until('following', () => follower.state === 'following');
  appendFileSync(file, text(11, 20));
  renameSync(file, `${file}.1`);
  appendFileSync(`${file}.1`, text(21, 30)); // the writer has not reopened yet
  writeFileSync(file, text(31, 40));
  await until('30 lines', () => lines.length === 30);
  assert.deepEqual(lines, numbered(11, 40));
  assert.deepEqual(
    notices.map((n) => n.kind),
    ['rotated'],
  );
  assert.match(notices[0].message, /^box:.*app\.log was rotated; following the new file from its start$/);
});

test('copytruncate: lines the follower had not read yet come from the rotated copy', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'app.log');
  writeFileSync(file, text(1, 10));
  const runner = new LocalRunner('box');
  const { lines, notices, follower } = follow(t, file, { startLines: 10 }, runner);
  await until('10 lines', () => lines.length === 10);
  follower.pause(); // the host keeps writing while we are not reading
  appendFileSync(file, text(11, 5000));
  await new Promise((r) => setTimeout(r, 100));
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  appendFileSync(file, text(5001, 5010));
  follower.resume();
  await until('5010 lines', () => lines.length >= 5010);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(lines, numbered(1, 5010));
  assert.ok(notices.some((n) => n.kind === 'truncated' && /rotated copy/.test(n.message)));
});

test('rotations while disconnected: renamed file found by inode, copytruncate by its copy', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'app.log');
  writeFileSync(file, text(1, 10));
  let online = true;
  const runner = new LocalRunner('box');
  const connect = async (): Promise<RemoteRunner> => {
    if (!online) throw new Error('connect ECONNREFUSED');
    return runner;
  };
  const { lines } = follow(t, file, { startLines: 10, connect }, runner);
  await until('10 lines', () => lines.length === 10);
  online = false;
  runner.cut();
  appendFileSync(file, text(11, 20));
  renameSync(file, `${file}.1`);
  writeFileSync(file, text(21, 30));
  online = true;
  await until('30 lines', () => lines.length >= 30);
  online = false;
  runner.cut();
  appendFileSync(file, text(31, 40));
  copyFileSync(file, `${file}.1`);
  writeFileSync(file, text(41, 50)); // truncate and write
  online = true;
  await until('50 lines', () => lines.length >= 50);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(lines, numbered(1, 50));
});

test('a file that disappears and reappears is picked up again from its start', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'app.log');
  writeFileSync(file, text(1, 3));
  const { lines, notices, follower } = follow(t, file, { startLines: 10 });
  await until('3 lines', () => lines.length === 3);
  rmSync(file);
  await until('missing', () => notices.some((n) => n.kind === 'missing'));
  assert.equal(follower.state, 'waiting');
  writeFileSync(file, text(4, 6));
  await until('6 lines', () => lines.length === 6);
  assert.deepEqual(lines, numbered(1, 6));
  assert.equal(follower.state, 'following');
  assert.deepEqual(
    notices.map((n) => n.kind),
    ['missing', 'created'],
  );
});

test('a file that does not exist yet is waited for', async (t) => {
  const file = join(tempDir(t), 'later.log');
  const { lines, follower, notices } = follow(t, file);
  await until('waiting', () => follower.state === 'waiting');
  assert.deepEqual(notices, [{ kind: 'missing', message: `box:${file} does not exist (any more); waiting for it to appear` }]);
  writeFileSync(file, text(1, 2));
  await until('2 lines', () => lines.length === 2);
  assert.deepEqual(lines, numbered(1, 2));
  assert.equal(follower.state, 'following');
});

test('a path starting with ~/ is read from the home directory of the user on the host', async (t) => {
  const home = tempDir(t);
  writeFileSync(join(home, 'app.log'), text(1, 3));
  const local = new LocalRunner('box');
  const inHome: RemoteRunner = { host: 'box', exec: (c, o) => local.exec(c, o), spawn: (c) => local.spawn(`HOME=${home} ${c}`) };
  const { lines, follower } = follow(t, '~/app.log', { connect: async () => inHome, startLines: 2 });
  await until('2 lines', () => lines.length === 2);
  assert.deepEqual(lines, numbered(2, 3));
  assert.equal(follower.state, 'following');
});

test('a follower started where another stopped shows every line after that once', async (t) => {
  const file = join(tempDir(t), 'app.log');
  writeFileSync(file, text(1, 5));
  const first = follow(t, file, { startLines: 2 });
  assert.equal(first.follower.position, undefined);
  await until('2 lines', () => first.lines.length === 2);
  appendFileSync(file, 'line 6\nline 7 is not fin');
  await until('line 6', () => first.lines.length === 3);
  const stoppedAt = first.follower.position;
  first.follower.dispose();
  appendFileSync(file, `ished\n${text(8, 9)}`);
  const second = follow(t, file, { startLines: 2, resumeFrom: stoppedAt });
  await until('3 lines', () => second.lines.length === 3);
  assert.deepEqual([...first.lines, ...second.lines], ['line 4', 'line 5', 'line 6', 'line 7 is not finished', 'line 8', 'line 9']);
});

test('a cancelled login or a host key to check stops the follower with its message; only network failures are retried', async (t) => {
  const file = join(tempDir(t), 'app.log');
  writeFileSync(file, text(1, 3));
  const kinds: SshErrorKind[] = ['auth', 'hostKeyUnknown', 'hostKeyChanged', 'hostKeyRevoked'];
  for (const kind of kinds) {
    let attempts = 0;
    const refusing = async (): Promise<RemoteRunner> => {
      attempts++;
      throw new SshError(kind, 'box', 'box (10.0.0.5:22): login cancelled.');
    };
    const { follower, notices } = follow(t, file, { connect: refusing });
    await follower.done;
    assert.equal(follower.state, 'failed', kind);
    assert.equal(follower.error?.message, 'box (10.0.0.5:22): login cancelled.');
    assert.equal(attempts, 1, kind);
    assert.deepEqual(notices, [], kind);
  }

  const local = new LocalRunner('box');
  let attempts = 0;
  const flaky = async (): Promise<RemoteRunner> => {
    if (++attempts <= 2) throw new SshError(attempts === 1 ? 'unreachable' : 'timeout', 'box', 'box (10.0.0.5:22): connection refused.');
    return local;
  };
  const { lines, notices } = follow(t, file, { connect: flaky, startLines: 3 });
  await until('3 lines', () => lines.length === 3);
  assert.equal(attempts, 3);
  assert.deepEqual(
    notices.map((n) => n.message),
    [
      `box:${file}: box (10.0.0.5:22): connection refused; reconnecting in 0.0 s`,
      `box:${file}: box (10.0.0.5:22): connection refused; reconnecting in 0.0 s`,
    ],
  );
});

test('a channel lost with the connection says why, without the script it was running', async (t) => {
  const file = join(tempDir(t), 'app.log');
  writeFileSync(file, text(1, 3));
  const local = new LocalRunner('box');
  let spawned = 0;
  // The first channel ends as the pool ends one whose connection dropped: no exit status, an error.
  const dropping: RemoteRunner = {
    host: 'box',
    exec: (c, o) => local.exec(c, o),
    spawn: async (command) => {
      const proc = await local.spawn(command);
      if (++spawned > 1) return proc;
      const lost = new SshError('closed', 'box', 'box (10.0.0.5:22): connection lost: read ECONNRESET. It reconnects on next use.');
      const error = new SshError('closed', 'box', `${lost.message} (while running \`${command}\`)`, { cause: lost });
      return { ...proc, exit: proc.exit.then(() => ({ exitCode: null, signal: null, error })) };
    },
  };
  const { lines, notices } = follow(t, file, { connect: async () => dropping, startLines: 3 });
  await until('3 lines', () => lines.length === 3);
  local.cut();
  await until('reconnecting', () => notices.some((n) => n.kind === 'reconnecting'));
  assert.equal(
    notices[0].message,
    `box:${file}: box (10.0.0.5:22): connection lost: read ECONNRESET. It reconnects on next use; reconnecting in 0.0 s`,
  );
});

test('an unreadable file fails with a message naming host and file', async (t) => {
  const dir = tempDir(t);
  chmodSync(dir, 0o755);
  const file = join(dir, 'secret.log');
  writeFileSync(file, 'x\n', { mode: 0o600 });
  const local = new LocalRunner('box');
  // Run the script as an unprivileged user: root can read anything.
  const asNobody: RemoteRunner = {
    host: 'box',
    exec: (c, o) => local.exec(`runuser -u nobody -- ${c}`, o),
    spawn: (c) => local.spawn(`runuser -u nobody -- ${c}`),
  };
  const { follower } = follow(t, file, { connect: async () => asNobody });
  await follower.done;
  assert.equal(follower.state, 'failed');
  assert.equal(
    follower.error?.message,
    `box:${file}: permission denied; the ssh user cannot read this file (ask for read access, e.g. membership of its group, or choose another file)`,
  );

  mkdirSync(join(dir, 'adir'));
  const other = follow(t, join(dir, 'adir'));
  await other.follower.done;
  assert.match(other.follower.error?.message ?? '', /adir is not a file/);
});

test('pause holds lines back without losing any; resume delivers them in order', async (t) => {
  const file = join(tempDir(t), 'app.log');
  writeFileSync(file, '');
  const { lines, follower } = follow(t, file);
  await until('following', () => follower.state === 'following');
  appendFileSync(file, text(1, 5));
  await until('5 lines', () => lines.length === 5);
  follower.pause();
  appendFileSync(file, text(6, 20000));
  await new Promise((r) => setTimeout(r, 300));
  const whilePaused = lines.length;
  assert.ok(whilePaused < 20000, 'held back while paused');
  follower.resume();
  await until('all lines', () => lines.length === 20000);
  assert.deepEqual(lines, numbered(1, 20000));
});

test('a filter set at start runs on the host; one that matches nothing shows nothing', async (t) => {
  const file = join(tempDir(t), 'app.log');
  writeFileSync(file, '');
  const runner = new LocalRunner('box');
  const { lines, follower } = follow(t, file, { filter: { pattern: 'no such thing' } }, runner);
  await until('following', () => follower.state === 'following');
  appendFileSync(file, text(1, 1000));
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(lines, []);
  assert.match(runner.commands[0], /'-F' 'no such thing'/);
  follower.setFilter({ pattern: 'line 15\\d\\d$', regex: true });
  appendFileSync(file, text(1001, 1999));
  await until('matches', () => lines.length === 100);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(lines, numbered(1500, 1599));
  assert.match(runner.commands[runner.commands.length - 1], /'-E' 'line 15\[0-9\]\[0-9\]\$'/);
});

test('hosts without GNU dd use tail|head and follow just the same', async (t) => {
  const dir = tempDir(t);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // A dd that knows no iflag=skip_bytes,count_bytes, like BusyBox's or BSD's.
  writeFileSync(join(bin, 'dd'), '#!/bin/sh\ncase "$*" in *iflag=*) echo "dd: unknown operand" >&2; exit 1 ;; esac\nexec /bin/dd "$@"\n', {
    mode: 0o755,
  });
  const local = new LocalRunner('box');
  const plainDd: RemoteRunner = { host: 'box', exec: (c, o) => local.exec(c, o), spawn: (c) => local.spawn(`PATH=${bin}:$PATH ${c}`) };
  const file = join(dir, 'app.log');
  writeFileSync(file, text(1, 100));
  const { lines } = follow(t, file, { startLines: 3, connect: async () => plainDd }, local);
  await until('3 lines', () => lines.length === 3);
  appendFileSync(file, text(101, 3000));
  local.cut();
  copyFileSync(file, `${file}.1`);
  writeFileSync(file, text(3001, 3010));
  await until('all lines', () => lines.length >= 2913);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(lines, numbered(98, 3010));
});
