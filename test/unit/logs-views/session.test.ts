import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogFilter } from '../../../src/core/logs/filter';
import type { FollowerNotice, FollowerPosition, FollowerState } from '../../../src/core/logs/follower';
import type { HostStateChange } from '../../../src/core/ssh/pool';
import { EventEmitter } from '../../../src/core/util/events';
import { LogSession, stopOnDisconnect, type SessionFollower } from '../../../src/views/logs/session';

class FakeFollower implements SessionFollower {
  readonly lines = new EventEmitter<string[]>();
  readonly notices = new EventEmitter<FollowerNotice>();
  readonly states = new EventEmitter<FollowerState>();
  readonly onDidAppend = this.lines.event;
  readonly onDidNotice = this.notices.event;
  readonly onDidChangeState = this.states.event;
  error: Error | undefined;
  paused = false;
  disposed = false;
  filter: LogFilter | undefined;
  position: FollowerPosition | undefined;

  constructor(
    readonly path: string,
    filter: LogFilter | undefined,
    readonly resumeFrom: FollowerPosition | undefined,
  ) {
    this.filter = filter;
  }

  get filterRegExp(): RegExp | undefined {
    return undefined;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  setFilter(filter: LogFilter | undefined): void {
    this.filter = filter;
  }

  fail(message: string): void {
    this.error = new Error(message);
    this.states.fire('failed');
  }

  dispose(): void {
    this.disposed = true;
  }
}

function setup(paths: string[], filter?: LogFilter, host = 'web-1') {
  const followers: FakeFollower[] = [];
  let screen = '';
  const session = new LogSession({
    sources: paths.map((path) => ({ host, path })),
    filter,
    colour: false,
    flushIntervalMs: 1,
    write: (text) => (screen += text),
    createFollower: (path, f, resumeFrom) => {
      const follower = new FakeFollower(path, f, resumeFrom);
      followers.push(follower);
      return follower;
    },
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
  return { session, followers, screen: () => screen, settle };
}

describe('LogSession', () => {
  it("shows one file's lines as they are, after a line saying what is followed and which keys work", async () => {
    const { session, followers, screen, settle } = setup(['/var/log/app.log'], { pattern: 'ERROR' });
    session.start();
    assert.equal(followers.length, 1);
    assert.deepEqual(followers[0].filter, { pattern: 'ERROR' });
    followers[0].lines.fire(['ERROR one', 'ERROR two']);
    await settle();
    const rows = screen().split('\r\n');
    assert.match(rows[0], /^— following web-1:\/var\/log\/app\.log matching ERROR · keys: p or space pause\/resume .* —$/);
    assert.deepEqual(rows.slice(1), ['ERROR one', 'ERROR two', '']);
    assert.deepEqual(session.lines(), ['ERROR one', 'ERROR two']);
    assert.deepEqual(session.lines(1), ['ERROR two']);
    session.dispose();
    assert.ok(followers[0].disposed);
  });

  it('merges several files in arrival order with a prefix per line, in the terminal and the buffer', async () => {
    const { session, followers, screen, settle } = setup(['/var/log/app.log', '/var/log/worker.log']);
    session.start();
    followers[0].lines.fire(['a1']);
    followers[1].lines.fire(['w1']);
    followers[0].lines.fire(['a2']);
    await settle();
    assert.deepEqual(session.lines(), ['web-1 app.log    │ a1', 'web-1 worker.log │ w1', 'web-1 app.log    │ a2']);
    assert.ok(screen().endsWith('web-1 app.log    │ a1\r\nweb-1 worker.log │ w1\r\nweb-1 app.log    │ a2\r\n'));
    session.dispose();
    assert.ok(followers.every((f) => f.disposed));
  });

  it('pauses and resumes every follower, and says so between the lines', async () => {
    const { session, followers, screen, settle } = setup(['/a.log', '/b.log']);
    session.start();
    assert.equal(session.togglePause(), true);
    assert.ok(followers.every((f) => f.paused));
    assert.equal(session.togglePause(), false);
    assert.ok(followers.every((f) => !f.paused));
    await settle();
    assert.match(screen(), /— paused: new lines wait on the host, nothing is lost; p or space resumes —\r\n— resumed —/);
    session.dispose();
  });

  it('changes the filter of every follower', async () => {
    const { session, followers, screen, settle } = setup(['/a.log', '/b.log']);
    session.start();
    session.setFilter({ pattern: 'x+', regex: true, ignoreCase: true });
    assert.ok(followers.every((f) => f.filter?.pattern === 'x+'));
    assert.deepEqual(session.filter, { pattern: 'x+', regex: true, ignoreCase: true });
    session.setFilter(undefined);
    await settle();
    assert.match(screen(), /— filter \/x\+\/i from the next line on —\r\n— filter removed: every line from the next one on —/);
    session.dispose();
  });

  it('reports a failed follower and starts it again on retry, paused if the session is', async () => {
    const { session, followers, screen, settle } = setup(['/var/log/secret.log']);
    session.start();
    followers[0].fail('web-1:/var/log/secret.log: permission denied; the ssh user cannot read this file');
    await settle();
    assert.match(screen(), /— web-1:\/var\/log\/secret\.log: permission denied; .*\. Press r to try again, or close this terminal\. —/);
    session.togglePause();
    assert.equal(session.retry(), 1);
    assert.equal(followers.length, 2);
    assert.ok(followers[0].disposed);
    assert.ok(followers[1].paused);
    assert.equal(session.retry(), 0);
    session.dispose();
  });

  it('shows a login that failed or was cancelled as one sentence, and r asks again', async () => {
    const { session, followers, screen, settle } = setup(['/var/log/app.log']);
    session.start();
    followers[0].fail('web-1 (10.0.0.5:22): login cancelled.');
    await settle();
    assert.match(screen(), /— web-1 \(10\.0\.0\.5:22\): login cancelled\. Press r to try again, or close this terminal\. —/);
    assert.equal(session.retry(), 1);
    assert.equal(followers.length, 2);
    session.dispose();
  });

  it('merges files on several hosts, and a host that fails or is disconnected does not stop the others', async () => {
    const followers: FakeFollower[] = [];
    const hostsOf: string[] = [];
    let screen = '';
    const session = new LogSession({
      sources: [
        { host: 'web-1', path: '/var/log/app.log' },
        { host: 'web-2', path: '/var/log/app.log' },
      ],
      colour: false,
      flushIntervalMs: 1,
      write: (text) => (screen += text),
      createFollower: (path, f, resumeFrom, host) => {
        const follower = new FakeFollower(path, f, resumeFrom);
        followers.push(follower);
        hostsOf.push(host);
        return follower;
      },
    });
    const hostStates = new EventEmitter<HostStateChange>();
    const stopping = stopOnDisconnect(hostStates.event, () => [session]);
    session.start();
    assert.deepEqual(hostsOf, ['web-1', 'web-2']);
    assert.deepEqual(session.hosts, ['web-1', 'web-2']);
    assert.deepEqual(session.paths, ['/var/log/app.log']);
    followers[0].lines.fire(['a1']);
    followers[1].fail('web-2 (10.0.0.6:22): connection refused.');
    followers[0].lines.fire(['a2']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.match(screen, /^— following web-1:\/var\/log\/app\.log, web-2:\/var\/log\/app\.log · keys/);
    assert.match(screen, /— web-2 \(10\.0\.0\.6:22\): connection refused\. Press r to try again, or close this terminal\. —/);
    assert.deepEqual(session.lines(), ['web-1 app.log │ a1', 'web-1 app.log │ a2']);
    assert.equal(session.retry(), 1);
    assert.deepEqual(hostsOf, ['web-1', 'web-2', 'web-2']);
    followers[2].lines.fire(['b1']);
    hostStates.fire({ host: 'web-1', state: { kind: 'idle' } });
    assert.ok(followers[0].disposed && !followers[2].disposed, 'only web-1 stops');
    assert.deepEqual(session.lines(), ['web-1 app.log │ a1', 'web-1 app.log │ a2', 'web-2 app.log │ b1']);
    stopping.dispose();
    session.dispose();
  });

  it('stops following when the user disconnects the host, keeps the lines, and r goes on where it stopped', async () => {
    const { session, followers, screen, settle } = setup(['/var/log/app.log', '/var/log/worker.log']);
    const hostStates = new EventEmitter<HostStateChange>();
    const other = setup(['/var/log/app.log'], undefined, 'db-1');
    const sessions = [session, other.session];
    const stopping = stopOnDisconnect(hostStates.event, () => sessions);
    session.start();
    other.session.start();
    followers[0].lines.fire(['a1']);
    followers[0].position = { inode: '42', offset: 3, tail: Buffer.from('a1\n') };
    hostStates.fire({ host: 'web-1', state: { kind: 'connected' } });
    assert.ok(followers.every((f) => !f.disposed));
    hostStates.fire({ host: 'web-1', state: { kind: 'idle' } });
    assert.ok(followers.every((f) => f.disposed));
    assert.ok(!other.followers[0].disposed, 'another host follows on');
    await settle();
    assert.ok(screen().endsWith('— Disconnected from web-1. Press r to follow again. —\r\n'));
    assert.deepEqual(session.lines(), ['web-1 app.log    │ a1']);
    assert.equal(session.retry(), 2);
    assert.deepEqual(
      followers.slice(2).map((f) => f.resumeFrom),
      [{ inode: '42', offset: 3, tail: Buffer.from('a1\n') }, undefined],
    );
    stopping.dispose();
    session.dispose();
    other.session.dispose();
  });
});
