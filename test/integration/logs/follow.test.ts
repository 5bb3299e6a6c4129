// The log follower over real OpenSSH: a writer appends numbered lines at ~10k lines/s while the
// fault proxy cuts the connection and the writer rotates its log both ways.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { LogFollower, type FollowerNotice, type FollowerPosition } from '../../../src/core/logs/follower';
import type { SshPool } from '../../../src/core/ssh/pool';
import { LogSession, stopOnDisconnect } from '../../../src/views/logs/session';
import {
  generateKey,
  makeTempDir,
  startFaultProxy,
  startSshHost,
  stopProcess,
  trackProcess,
  viaProxy,
  writeSshConfig,
  type FaultProxy,
  type SshHost,
} from '../../harness';
import { poolFor, waitFor, onCommandEnded } from '../ssh/support';

let dir: string;
let web: SshHost;
let restricted: SshHost;
let proxy: FaultProxy;
let pool: SshPool;

before(async () => {
  dir = makeTempDir('logs-test');
  chmodSync(dir, 0o755);
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] });
  // Sessions on this host run as nobody, so file permissions apply (the harness logs in as root).
  restricted = await startSshHost({
    name: 'ro-1',
    authorizedKeys: [userKey.publicKey],
    extraConfig: ['ForceCommand exec runuser -u nobody -- sh -c "$SSH_ORIGINAL_COMMAND"'],
  });
  proxy = await startFaultProxy({ target: web });
  const { configFile } = writeSshConfig({
    dir,
    entries: [
      { host: viaProxy(web, proxy), identityFiles: [userKey.privateKeyPath] },
      { host: restricted, identityFiles: [userKey.privateKeyPath] },
    ],
  });
  pool = poolFor(configFile, { keepaliveIntervalMs: 2000, keepaliveCountMax: 2 });
});

after(async () => {
  pool.dispose();
  await Promise.all([web.stop(), restricted.stop(), proxy.stop()]);
});

function follow(host: string, path: string, startLines = 0, resumeFrom?: FollowerPosition) {
  const lines: string[] = [];
  const notices: FollowerNotice[] = [];
  const follower = new LogFollower({
    host,
    path,
    connect: () => pool.connect(host),
    startLines,
    resumeFrom,
    pollSeconds: 0.1,
    stallMs: 6000,
    backoff: { initialMs: 50, maxMs: 500 },
  });
  follower.onDidAppend((batch) => {
    for (const line of batch) lines.push(line);
  });
  follower.onDidNotice((n) => notices.push(n));
  return { follower, lines, notices };
}

// Appends `n <number> …` lines in batches of 100 every 10 ms (~10k lines/s). On stdin,
// "rename" and "copytruncate" rotate the log between two writes, as logrotate would with a
// writer that reopens at once; "stop" ends it and prints the last number written.
const writerSource = String.raw`
const fs = require('fs');
const path = process.argv[1];
let fd = fs.openSync(path, 'a');
let n = 0, rotations = 0;
const pad = ' '.repeat(40);
const timer = setInterval(() => {
  let out = '';
  for (let i = 0; i < 100; i++) out += 'n ' + (++n) + pad + '\n';
  fs.writeSync(fd, out);
}, 10);
process.stdin.on('data', (d) => {
  for (const cmd of d.toString().split('\n').filter(Boolean)) {
    if (cmd === 'stop') { clearInterval(timer); fs.closeSync(fd); process.stdout.write(String(n)); process.exit(0); }
    rotations++;
    try { fs.renameSync(path + '.1', path + '.old' + rotations); } catch {}
    if (cmd === 'rename') { fs.renameSync(path, path + '.1'); fs.closeSync(fd); fd = fs.openSync(path, 'a'); }
    else { fs.copyFileSync(path, path + '.1'); fs.ftruncateSync(fd, 0); }
  }
});`;

function startWriter(path: string): { child: ChildProcess; stop: () => Promise<number> } {
  const child = trackProcess(spawn(process.execPath, ['-e', writerSource, path], { stdio: ['pipe', 'pipe', 'inherit'] }));
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  return {
    child,
    stop: async () => {
      child.stdin?.write('stop\n');
      await new Promise((r) => child.once('exit', r));
      return Number(out);
    },
  };
}

const numberOf = (line: string) => Number(/^n (\d+) +$/.exec(line)?.[1]);

test('20 connection cuts and 5 rotations at ~10k lines/s: every line exactly once, in order', { timeout: 300_000 }, async () => {
  const log = join(dir, 'busy', 'app.log');
  mkdirSync(join(dir, 'busy'));
  writeFileSync(log, '');
  const { follower, lines, notices } = follow('web-1', log);
  await waitFor('following', () => follower.state === 'following', 10_000);
  const writer = startWriter(log);
  const rotations = ['rename', 'copytruncate', 'rename', 'copytruncate', 'rename'];
  try {
    for (let cut = 1; cut <= 20; cut++) {
      await new Promise((r) => setTimeout(r, 500 + Math.random() * 300));
      proxy.cut();
      // Each cut and each rotation is seen on its own, however slow the machine: wait for the
      // follower to notice the drop, then to read again past what it had shown.
      await waitFor('the drop noticed', () => follower.state === 'reconnecting', 20_000);
      if (cut % 4 === 2) writer.child.stdin?.write(`${rotations.shift()}\n`);
      const shown = lines.length;
      await waitFor('following again', () => follower.state === 'following' && lines.length > shown, 30_000);
    }
    const written = await writer.stop();
    await waitFor(`all ${written} lines`, () => lines.length >= written, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(lines.length, written);
    const firstBad = lines.findIndex((line, i) => numberOf(line) !== i + 1);
    assert.equal(firstBad, -1, `line ${firstBad}: ${lines[firstBad]} (around: ${lines.slice(firstBad - 2, firstBad + 2).join(' | ')})`);
    assert.ok(written > 80_000, `${written} lines written`);
    assert.equal(notices.filter((n) => n.kind === 'rotated').length, 3);
    assert.equal(notices.filter((n) => n.kind === 'truncated').length, 2);
    assert.ok(notices.filter((n) => n.kind === 'reconnecting').length >= 20);
  } finally {
    follower.dispose();
    writer.child.kill();
    await stopProcess(writer.child);
  }
});

test('a file that disappears and reappears is followed again', { timeout: 30_000 }, async () => {
  const log = join(dir, 'gone.log');
  writeFileSync(log, 'first\n');
  const { follower, lines, notices } = follow('web-1', log, 5);
  try {
    await waitFor('first line', () => lines.length === 1, 10_000);
    rmSync(log);
    await waitFor('missing notice', () => notices.some((n) => n.kind === 'missing'), 5000);
    proxy.cut(); // and a drop while it is missing
    await new Promise((r) => setTimeout(r, 500));
    writeFileSync(log, 'second\n');
    await waitFor('second line', () => lines.length === 2, 10_000);
    assert.deepEqual(lines, ['first', 'second']);
  } finally {
    follower.dispose();
  }
});

test(
  'following again from where a follower stopped, after a copytruncate refilled the file past that point: the rest from the copy, then the new file from its start',
  { timeout: 30_000 },
  async () => {
    const log = join(dir, 'refill.log');
    writeFileSync(log, 'old 1\nold 2\n');
    const first = follow('web-1', log, 5);
    await waitFor('the first lines', () => first.lines.length === 2, 10_000);
    first.follower.dispose();
    // Followed again (r) and stopped before anything new was written: the check must still hold.
    const again = follow('web-1', log, 5, first.follower.position);
    await waitFor('the follower to resume', () => again.follower.state === 'following', 10_000);
    const stoppedAt = again.follower.position;
    again.follower.dispose();
    // While nobody follows: one more line, then logrotate's copytruncate, then a writer that fills
    // the truncated file past the old offset (same inode, other bytes).
    appendFileSync(log, 'old 3\n');
    copyFileSync(log, `${log}.1`);
    writeFileSync(log, `new 1 ${'x'.repeat(40)}\nnew 2\n`);
    const second = follow('web-1', log, 5, stoppedAt);
    try {
      await waitFor("the new file's last line", () => second.lines.includes('new 2'), 10_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(second.lines, ['old 3', `new 1 ${'x'.repeat(40)}`, 'new 2']);
      assert.ok(
        second.notices.some((n) => n.kind === 'truncated'),
        JSON.stringify(second.notices),
      );
    } finally {
      second.follower.dispose();
    }
  },
);

test(
  'changing a host-side filter while following goes on where it was: nothing read again, no false rotation',
  { timeout: 30_000 },
  async () => {
    const log = join(dir, 'refilter.log');
    writeFileSync(log, 'first 0\n');
    const { follower, lines, notices } = follow('web-1', log, 5);
    try {
      await waitFor('the unfiltered line', () => lines.length === 1, 10_000);
      follower.setFilter({ pattern: 'ccc' });
      appendFileSync(log, 'aaa 1\nccc 2\nddd 3\n');
      await waitFor('the matching line', () => lines.length === 2, 10_000);
      follower.setFilter({ pattern: 'ddd' });
      appendFileSync(log, 'ccc 4\nddd 5\n');
      await waitFor('the next matching line', () => lines.includes('ddd 5'), 10_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(lines, ['first 0', 'ccc 2', 'ddd 5']);
      assert.deepEqual(
        notices.filter((n) => n.kind === 'truncated' || n.kind === 'rotated'),
        [],
      );
    } finally {
      follower.dispose();
    }
  },
);

test('a copytruncate copy that was compressed at once (PATH.1.gz) is read through gzip', { timeout: 30_000 }, async () => {
  const log = join(dir, 'gz.log');
  writeFileSync(log, 'old 1\nold 2\n');
  const first = follow('web-1', log, 5);
  await waitFor('the first lines', () => first.lines.length === 2, 10_000);
  const stoppedAt = first.follower.position;
  first.follower.dispose();
  // logrotate with copytruncate and compress (no delaycompress): the copy is PATH.1.gz.
  appendFileSync(log, 'old 3\nold 4\n');
  writeFileSync(`${log}.1.gz`, gzipSync(readFileSync(log)));
  writeFileSync(log, 'new 1\n');
  const second = follow('web-1', log, 5, stoppedAt);
  try {
    await waitFor("the new file's line", () => second.lines.includes('new 1'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(second.lines, ['old 3', 'old 4', 'new 1']);
    assert.match(second.notices.find((n) => n.kind === 'truncated')?.message ?? '', /read the rest from its rotated copy/);
  } finally {
    second.follower.dispose();
  }
});

test('a file the ssh user cannot read fails with a message naming host and file', { timeout: 30_000 }, async () => {
  const log = join(dir, 'secret.log');
  writeFileSync(log, 'x\n', { mode: 0o600 });
  const { follower } = follow('ro-1', log);
  await follower.done;
  assert.equal(follower.state, 'failed');
  assert.match(follower.error?.message ?? '', new RegExp(`^ro-1:${log}: permission denied; `));
});

test('a filter that matches nothing shows nothing; the host does the filtering', { timeout: 30_000 }, async () => {
  const log = join(dir, 'filtered.log');
  writeFileSync(log, '');
  const commands: string[] = [];
  const recorded = onCommandEnded(pool, (c) => commands.push(c.command));
  const lines: string[] = [];
  const follower = new LogFollower({
    host: 'web-1',
    path: log,
    connect: () => pool.connect('web-1'),
    filter: { pattern: 'NEVER' },
    pollSeconds: 0.1,
  });
  follower.onDidAppend((b) => lines.push(...b));
  try {
    await waitFor('following', () => follower.state === 'following', 10_000);
    for (let i = 0; i < 20; i++) appendFileSync(log, `noise ${i} ${'x'.repeat(1000)}\n`);
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(lines, []);
    appendFileSync(log, 'NEVER say never\n');
    await waitFor('the matching line', () => lines.length === 1, 5000);
    assert.deepEqual(lines, ['NEVER say never']);
    follower.dispose();
    // The pool records a command when its channel ends.
    await waitFor('the follower command', () => commands.some((c) => c.includes("'-F' 'NEVER'")), 30_000);
  } finally {
    recorded.dispose();
    follower.dispose();
  }
});

test('long lines, invalid UTF-8 and binary bytes arrive safe over ssh', { timeout: 30_000 }, async () => {
  const log = join(dir, 'odd.log');
  writeFileSync(log, '');
  const { follower } = follow('web-1', log);
  try {
    await waitFor('following', () => follower.state === 'following', 10_000);
    appendFileSync(
      log,
      Buffer.concat([
        Buffer.from('x'.repeat(100_000) + '\n'),
        Buffer.from([0x66, 0xff, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x0a]),
        Buffer.from('end\n'),
      ]),
    );
    await waitFor('3 lines', () => follower.buffer.size === 3, 10_000);
    const shown = follower.buffer.lines();
    assert.equal(shown[0], `${'x'.repeat(65536)} … [line cut: ${100_000 - 65536} more bytes]`);
    assert.equal(shown[1], 'f\ufffd\u2400\u241b[2J');
    assert.equal(shown[2], 'end');
  } finally {
    follower.dispose();
  }
});

test('a stalled link is noticed by its silence and replaced; nothing is lost', { timeout: 40_000 }, async () => {
  const log = join(dir, 'stalled.log');
  writeFileSync(log, '');
  const lines: string[] = [];
  const notices: FollowerNotice[] = [];
  const follower = new LogFollower({
    host: 'web-1',
    path: log,
    connect: () => pool.connect('web-1'),
    pollSeconds: 0.1,
    stallMs: 3000,
    backoff: { initialMs: 50, maxMs: 500 },
  });
  follower.onDidAppend((b) => lines.push(...b));
  follower.onDidNotice((n) => notices.push(n));
  try {
    await waitFor('following', () => follower.state === 'following', 10_000);
    appendFileSync(log, 'before\n');
    await waitFor('first line', () => lines.length === 1, 5000);
    proxy.stall();
    appendFileSync(log, 'during\n');
    await waitFor('the stall noticed', () => notices.some((n) => /no data for 3 s/.test(n.message)), 10_000);
    proxy.cut(); // the pool's dead connection goes; the held bytes with it
    proxy.resume();
    appendFileSync(log, 'after\n');
    await waitFor('all lines', () => lines.length === 3, 20_000);
    assert.deepEqual(lines, ['before', 'during', 'after']);
  } finally {
    proxy.resume();
    follower.dispose();
  }
});

test("Disconnect stops the host's log sessions before the connection goes; r goes on where they stopped", { timeout: 30_000 }, async () => {
  const log = join(dir, 'disconnect.log');
  writeFileSync(log, 'one\n');
  let screen = '';
  const session = new LogSession({
    sources: [{ host: 'web-1', path: log }],
    colour: false,
    flushIntervalMs: 1,
    write: (text) => (screen += text),
    createFollower: (path, filter, resumeFrom) =>
      new LogFollower({
        host: 'web-1',
        path,
        connect: () => pool.connect('web-1'),
        startLines: 5,
        filter,
        resumeFrom,
        pollSeconds: 0.1,
        backoff: { initialMs: 50, maxMs: 500 },
      }),
  });
  const stopping = stopOnDisconnect(pool.onDidChangeState, () => [session]);
  const states: string[] = [];
  const watching = pool.onDidChangeState(({ host, state }) => host === 'web-1' && states.push(state.kind));
  try {
    session.start();
    await waitFor('the first line', () => session.lines().length === 1, 10_000);
    states.length = 0;
    pool.disconnect('web-1');
    appendFileSync(log, 'two\n');
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(states, ['idle'], 'nothing dialled the host again');
    assert.deepEqual(session.lines(), ['one']);
    assert.ok(screen.endsWith('— Disconnected from web-1. Press r to follow again. —\r\n'), screen);
    assert.equal(session.retry(), 1);
    await waitFor('the line written meanwhile', () => session.lines().length === 2, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(session.lines(), ['one', 'two']);
  } finally {
    watching.dispose();
    stopping.dispose();
    session.dispose();
  }
});
