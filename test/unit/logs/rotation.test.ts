// Rotation while the follower is disconnected, done by Debian's own logrotate: several rotations
// during one outage, with compress + delaycompress (the old file is gzipped by the second one),
// with create and with copytruncate, and rotations that delete the old file (rotate 1).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { EventPublisher } from '../../../src/core/events';
import { LogFollower, type FollowerNotice } from '../../../src/core/logs/follower';
import type { RemoteRunner } from '../../../src/core/ssh/remote';
import { LocalRunner } from '../../support/localRunner';
import { tempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';
import { recordEvents } from './recordEvents';

const until = (what: string, predicate: () => boolean) => waitFor(what, predicate, 15_000, 10);
const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);
const text = (from: number, to: number) =>
  numbered(from, to)
    .map((l) => `${l}\n`)
    .join('');

/** A log in its own directory with a logrotate config for it; `rotate()` runs logrotate -f. */
function rotatedLog(t: TestContext, directives: string[]) {
  const dir = tempDir(t, 'ff-rotate-');
  const file = join(dir, 'app.log');
  writeFileSync(file, text(1, 10));
  const conf = join(dir, 'logrotate.conf');
  writeFileSync(conf, `${file} {\n${directives.map((d) => `  ${d}\n`).join('')}}\n`);
  const rotate = () => execFileSync('logrotate', ['-f', '-s', join(dir, 'state'), conf]);
  return { dir, file, rotate };
}

/** A follower whose host can be taken off line: `offline()` cuts it and refuses connects until `online()`. */
function follower(t: TestContext, file: string, events?: EventPublisher) {
  const runner = new LocalRunner('box');
  let up = true;
  const connect = async (): Promise<RemoteRunner> => {
    if (!up) throw new Error('connect ECONNREFUSED');
    return runner;
  };
  const lines: string[] = [];
  const notices: FollowerNotice[] = [];
  const follower = new LogFollower({
    host: 'box',
    path: file,
    connect,
    startLines: 10,
    pollSeconds: 0.05,
    backoff: { initialMs: 20, maxMs: 100 },
    events,
  });
  follower.onDidAppend((batch) => lines.push(...batch));
  follower.onDidNotice((n) => notices.push(n));
  t.after(() => follower.dispose());
  return {
    follower,
    lines,
    notices,
    offline: () => {
      up = false;
      runner.cut();
    },
    online: () => (up = true),
  };
}

for (const mode of ['create', 'copytruncate']) {
  test(`three ${mode} rotations with compress and delaycompress while disconnected: every line once, in order`, async (t) => {
    const { dir, file, rotate } = rotatedLog(t, ['rotate 9', mode, 'compress', 'delaycompress']);
    const { lines, notices, offline, online } = follower(t, file);
    await until('the first lines', () => lines.length === 10);
    offline();
    let written = 10;
    for (let round = 0; round < 3; round++) {
      appendFileSync(file, text(written + 1, written + 100));
      written += 100;
      rotate();
      appendFileSync(file, text(written + 1, written + 5));
      written += 5;
    }
    // Our file is app.log.3.gz now (create), or its copy is (copytruncate).
    assert.deepEqual(
      readdirSync(dir)
        .filter((f) => f.startsWith('app.log'))
        .sort(),
      ['app.log', 'app.log.1', 'app.log.2.gz', 'app.log.3.gz'],
    );
    online();
    await until(`${written} lines`, () => lines.length >= written);
    await until('the last notice', () =>
      notices.some((n) => n.kind === (mode === 'create' ? 'rotated' : 'truncated') && /from its start/.test(n.message)),
    );
    assert.deepEqual(lines, numbered(1, written));
    assert.ok(!notices.some((n) => n.kind === 'lost'), JSON.stringify(notices));
  });
}

test('rotations that deleted the old file: says the rest of it is gone, then follows the new file from its start', async (t) => {
  const { file, rotate } = rotatedLog(t, ['rotate 1', 'create']);
  const { published, events } = recordEvents();
  const { lines, notices, offline, online } = follower(t, file, events);
  await until('the first lines', () => lines.length === 10);
  offline();
  appendFileSync(file, text(11, 20));
  rotate();
  appendFileSync(file, text(21, 30));
  rotate(); // app.log.1 (ours) is deleted
  appendFileSync(file, text(31, 40));
  online();
  await until('the new file', () => lines.length === 20);
  assert.deepEqual(lines, [...numbered(1, 10), ...numbered(31, 40)]);
  const lost = notices.find((n) => n.kind === 'lost');
  assert.equal(
    lost?.message,
    `box:${file} was rotated while the connection was down and no file holds the rest of the old one any more; lines after byte 71 of it are missing`,
  );
  assert.deepEqual(
    published.filter((e) => e.name === 'log.skipped'),
    [{ name: 'log.skipped', source: 'follower', host: 'box', path: file, message: lost?.message }],
  );
});
