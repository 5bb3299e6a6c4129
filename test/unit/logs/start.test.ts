// Where following starts: the last N lines however far back they go, from line K (`tail -n +K`),
// and paths that are not regular files, through the real script on a local shell.
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { LogFollower, type FollowerNotice, type LogFollowerOptions } from '../../../src/core/logs/follower';
import { LocalRunner } from '../../support/localRunner';
import { tempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';

const until = (what: string, predicate: () => boolean) => waitFor(what, predicate, 30_000, 10);
const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

function follow(t: TestContext, path: string, options: Partial<LogFollowerOptions>) {
  const lines: string[] = [];
  const notices: FollowerNotice[] = [];
  const follower = new LogFollower({
    host: 'box',
    path,
    connect: async () => new LocalRunner('box'),
    pollSeconds: 0.05,
    buffer: { maxLines: 1 },
    ...options,
  });
  follower.onDidAppend((batch) => {
    for (const line of batch) lines.push(line);
  });
  follower.onDidNotice((n) => notices.push(n));
  t.after(() => follower.dispose());
  return { follower, lines, notices };
}

test('the last N lines are all given even when they span far more than the first 8 MiB read', async (t) => {
  const file = join(tempDir(t, 'ff-start-'), 'big.log');
  // 300,000 lines of ~60 bytes: 18 MB; the last 250,000 are ~15 MB.
  const fd = openSync(file, 'w');
  const pad = 'x'.repeat(48);
  for (let i = 1; i <= 300_000; i += 10_000) {
    let chunk = '';
    for (let j = i; j < i + 10_000; j++) chunk += `line ${j} ${pad}\n`;
    writeSync(fd, chunk);
  }
  closeSync(fd);
  const { lines, follower } = follow(t, file, { startLines: 250_000 });
  await until('250,000 lines', () => lines.length >= 250_000);
  await until('following', () => follower.state === 'following');
  assert.equal(lines.length, 250_000);
  assert.equal(lines[0], `line 50001 ${pad}`);
  assert.equal(lines[lines.length - 1], `line 300000 ${pad}`);
});

test('from line K as tail -n +K: +1 is the whole file; past the end it says the file is shorter and follows from its end', async (t) => {
  const file = join(tempDir(t, 'ff-start-'), 'app.log');
  writeFileSync(
    file,
    numbered(1, 20)
      .map((l) => `${l}\n`)
      .join(''),
  );
  const whole = follow(t, file, { fromLine: 1 });
  await until('20 lines', () => whole.lines.length === 20);
  assert.deepEqual(whole.lines, numbered(1, 20));
  const fromFive = follow(t, file, { fromLine: 5 });
  await until('16 lines', () => fromFive.lines.length === 16);
  assert.deepEqual(fromFive.lines, numbered(5, 20));
  const past = follow(t, file, { fromLine: 30 });
  await until('the notice', () => past.notices.length === 1);
  assert.deepEqual(past.notices, [{ kind: 'short', message: `box:${file} has only 20 lines; following from its end` }]);
  writeFileSync(file, 'line 21\n', { flag: 'a' });
  await until('the new line', () => past.lines.length === 1);
  assert.deepEqual(past.lines, ['line 21']);
});

test('an absurdly large N is the whole file', async (t) => {
  const file = join(tempDir(t, 'ff-start-'), 'app.log');
  writeFileSync(file, 'one\ntwo\n');
  const { lines } = follow(t, file, { startLines: 1e20 });
  await until('both lines', () => lines.length === 2);
  assert.deepEqual(lines, ['one', 'two']);
});

test('a device, a FIFO or a /proc file is refused at once with one clear message', async (t) => {
  for (const path of ['/dev/zero', '/proc/loadavg', '/proc/self/status']) {
    const { follower } = follow(t, path, {});
    await follower.done;
    assert.equal(follower.state, 'failed', path);
    assert.equal(
      follower.error?.message,
      `box:${path} is not a regular file (a device, FIFO or socket, or a /proc or /sys file whose size says nothing); choose a log file instead`,
    );
  }
});
