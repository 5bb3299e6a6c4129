// The follower's timed behaviour and events on a ManualClock, against a host that answers with
// records written by the test (the script's protocol, script.ts): nothing here sleeps or measures
// a gap. The real script's timing is covered by the integration suite.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { LogFollower, type FollowerNotice, type LogFollowerOptions } from '../../../src/core/logs/follower';
import { SshError } from '../../../src/core/ssh/errors';
import type { RemoteProcess, RemoteRunner } from '../../../src/core/ssh/remote';
import { Backoff } from '../../../src/core/util/backoff';
import { ManualClock } from '../../../src/core/util/clock';
import { waitFor } from '../../support/waitFor';
import { recordEvents } from './recordEvents';

const until = (what: string, predicate: () => boolean) => waitFor(what, predicate, 10_000, 5);

/** A channel the test speaks for: `say` writes the script's output, `end` ends it as the host would. */
interface FakeChannel {
  command: string;
  say(text: string | Buffer): void;
  end(exitCode: number | null, stderr?: string): void;
  closed: boolean;
}

function fakeHost() {
  const channels: FakeChannel[] = [];
  const runner: RemoteRunner = {
    host: 'box',
    exec: async () => assert.fail('the follower only spawns'),
    spawn: async (command) => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let finish: (result: { exitCode: number | null; signal: string | null }) => void = () => undefined;
      const exit = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => (finish = resolve));
      const channel: FakeChannel = {
        command,
        closed: false,
        say: (text) => stdout.write(text),
        end: (exitCode, text) => {
          if (text) stderr.write(text);
          stdout.end();
          finish({ exitCode, signal: null });
        },
      };
      const proc: RemoteProcess = {
        stdin: new PassThrough(),
        stdout,
        stderr,
        exit,
        close: () => {
          channel.closed = true;
          channel.end(null);
        },
      };
      channels.push(channel);
      return proc;
    },
  };
  return { runner, channels };
}

function follow(t: TestContext, options: Partial<LogFollowerOptions> & { connect: () => Promise<RemoteRunner> }) {
  const clock = new ManualClock();
  const notices: FollowerNotice[] = [];
  const lines: string[] = [];
  const follower = new LogFollower({ host: 'box', path: '/var/log/app.log', clock, backoff: { initialMs: 200, maxMs: 1000 }, ...options });
  follower.onDidNotice((n) => notices.push(n));
  follower.onDidAppend((batch) => lines.push(...batch));
  t.after(() => follower.dispose());
  return { clock, follower, notices, lines };
}

test('backoff: delays double from the first up to the cap; a success starts again; a sleep can be woken', async () => {
  const clock = new ManualClock();
  const backoff = new Backoff(clock, { initialMs: 100, maxMs: 500 });
  assert.deepEqual([backoff.failed(), backoff.failed(), backoff.failed(), backoff.failed(), backoff.failed()], [100, 200, 400, 500, 500]);
  backoff.succeeded();
  assert.equal(backoff.failed(), 100);
  let slept = false;
  const sleeping = backoff.sleep(1000).then(() => (slept = true));
  clock.advance(999);
  await Promise.resolve();
  assert.equal(slept, false);
  clock.advance(1);
  await sleeping;
  let woken = false;
  const waking = backoff.sleep(60_000).then(() => (woken = true));
  backoff.wake();
  await waking;
  assert.equal(woken, true);
  assert.equal(clock.pending, 0);
});

test('a silent channel is taken as stalled after stallMs on the clock, and replaced after the backoff', async (t) => {
  const { runner, channels } = fakeHost();
  const { clock, follower, notices } = follow(t, { connect: async () => runner, stallMs: 15_000 });
  await until('the channel', () => channels.length === 1);
  channels[0].say('O start 7 0 0\n');
  await until('following', () => follower.state === 'following');
  clock.advance(14_999);
  assert.equal(channels[0].closed, false);
  clock.advance(1);
  await until('the stall noticed', () => notices.length === 1);
  assert.equal(channels[0].closed, true);
  assert.deepEqual(notices, [{ kind: 'reconnecting', message: 'box:/var/log/app.log: no data for 15 s; reconnecting in 0.2 s' }]);
  assert.equal(follower.state, 'reconnecting');
  clock.advance(199);
  await Promise.resolve();
  assert.equal(channels.length, 1);
  clock.advance(1);
  await until('a new channel', () => channels.length === 2);
});

test('reconnect delays double while the host cannot be reached, but not when it answered and closed the handshake', async (t) => {
  for (const [kind, delays] of [
    ['unreachable', ['0.2', '0.4', '0.8', '1.0']],
    ['closed', ['0.2', '0.2', '0.2', '0.2']],
  ] as const) {
    const { clock, notices } = follow(t, {
      connect: async () => {
        throw new SshError(kind, 'box', 'box (10.0.0.5:22): it failed.');
      },
    });
    for (let attempt = 1; attempt <= delays.length; attempt++) {
      await until(`notice ${attempt}`, () => notices.length === attempt);
      clock.advance(1000);
    }
    assert.deepEqual(
      notices.map((n) => /reconnecting in (\S+) s$/.exec(n.message)?.[1]),
      delays,
      kind,
    );
  }
});

test("a remote shell's stderr (title and clipboard escapes) is shown visible in the reconnecting notice", async (t) => {
  const { runner, channels } = fakeHost();
  const { notices } = follow(t, { connect: async () => runner });
  await until('the channel', () => channels.length === 1);
  channels[0].end(1, '\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\nbash: warning: setlocale\r\n');
  await until('the notice', () => notices.length === 1);
  assert.equal(
    notices[0].message,
    'box:/var/log/app.log: \u241b]0;owned\u2407\u241b]52;c;ZXZpbA==\u2407 bash: warning: setlocale; reconnecting in 0.2 s',
  );
  assert.doesNotMatch(notices[0].message, /[\x00-\x1f\x7f-\x9f]/);
});

test('the follower publishes started, resumed, rotated and stopped, and gives the host the bytes it stopped after', async (t) => {
  const { runner, channels } = fakeHost();
  const { published, events } = recordEvents();
  const { clock, follower, lines } = follow(t, {
    connect: async () => runner,
    events,
    filter: { pattern: 'x', regex: false },
    hostFilter: false,
  });
  assert.deepEqual(published, [{ name: 'log.started', source: 'follower', host: 'box', path: '/var/log/app.log', filter: 'x', lines: 10 }]);
  await until('the channel', () => channels.length === 1);
  channels[0].say('O start 7 12 6\nB 7 0 6\nx one\nD 7 6 6\nx two\n');
  await until('a line', () => lines.length === 1);
  assert.deepEqual(lines, ['x two']);
  channels[0].end(0);
  await until('reconnecting', () => follower.state === 'reconnecting');
  clock.advance(200);
  await until('the second channel', () => channels.length === 2);
  // The host is asked to resume file 7 at byte 12, recognising it by its last bytes ("x one\nx two\n").
  assert.match(channels[1].command, new RegExp(` '7' '12' '10' '' '' '0.25' '8' '${Buffer.from('x one\nx two\n').toString('hex')}' '7'$`));
  channels[1].say('O resume 7 12 12\nB 7 0 12\nx one\nx two\nO rotated 8 0 0\n');
  await until('rotated', () => published.some((e) => e.name === 'log.rotated'));
  follower.dispose();
  assert.deepEqual(published.slice(1), [
    { name: 'log.resumed', source: 'follower', host: 'box', path: '/var/log/app.log', offset: 12 },
    {
      name: 'log.rotated',
      source: 'follower',
      host: 'box',
      path: '/var/log/app.log',
      how: 'renamed',
      message: 'box:/var/log/app.log was rotated; following the new file from its start',
    },
    { name: 'log.stopped', source: 'follower', host: 'box', path: '/var/log/app.log', reason: 'stopped' },
  ]);
});

test('bytes before the offset that differ from what was read there restart the channel (truncated and refilled between two polls)', async (t) => {
  const { runner, channels } = fakeHost();
  const { follower, lines } = follow(t, { connect: async () => runner });
  await until('the channel', () => channels.length === 1);
  channels[0].say('O start 7 6 0\nD 7 0 6\nx one\n');
  await until('a line', () => lines.length === 1);
  channels[0].say('B 7 2 4\nother');
  await until('the channel replaced', () => channels.length === 2);
  assert.equal(channels[0].closed, true);
  assert.equal(follower.state, 'following', 'a restart, not a reconnect');
  assert.deepEqual(lines, ['x one']);
});
