// The watchdog script run by a real sh, with a stand-in gdb on PATH that logs what it is told
// (the real gdb under it is covered by test/integration/debug/gdbFaults.test.ts), and the
// client's heartbeat on a ManualClock.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { HEARTBEAT_LINE, startHeartbeat, watchdogCommand } from '../../../../src/core/debug/gdb/watchdog';
import { ManualClock } from '../../../../src/core/util/clock';
import { tempDir } from '../../../support/tempDir';
import { waitFor } from '../../../support/waitFor';

/** Starts the watchdog over a stand-in gdb for `pid`; the stand-in exits on -gdb-exit. */
function startWatchdog(t: TestContext, pid: number, timing: { heartbeatMs: number; timeoutMs: number }) {
  const dir = tempDir(t, 'watchdog');
  const log = join(dir, 'gdb.log');
  writeFileSync(
    join(dir, 'gdb'),
    `#!/bin/sh\necho "args $*" >>"${log}"\nwhile IFS= read -r l; do echo "$l" >>"${log}"; [ "$l" = -gdb-exit ] && exit 0; done\n`,
  );
  chmodSync(join(dir, 'gdb'), 0o755);
  const child = spawn('sh', ['-c', watchdogCommand({ pid, sudo: false, ...timing })], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  return {
    child,
    exited,
    logLines: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
    stderr: () => stderr,
  };
}

function sleeper(t: TestContext): ChildProcess {
  const child = spawn('sleep', ['60']);
  t.after(() => child.kill('SIGKILL'));
  return child;
}

function stateOf(pid: number): string {
  return /^State:\s*(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
}

test('relays lines to gdb without the heartbeats; when stdin ends it detaches and exits gdb', async (t) => {
  const target = sleeper(t);
  const watchdog = startWatchdog(t, target.pid!, { heartbeatMs: 50, timeoutMs: 60_000 });
  watchdog.child.stdin!.write(`1-gdb-set mi-async on\n${HEARTBEAT_LINE}\n2-target-attach ${target.pid}\n${HEARTBEAT_LINE}\n`);
  await waitFor('the lines to reach gdb', () => watchdog.logLines().length >= 3);
  watchdog.child.stdin!.end();
  assert.equal(await watchdog.exited, 0);
  assert.deepEqual(watchdog.logLines(), [
    'args --interpreter=mi3 -nx -q',
    '1-gdb-set mi-async on',
    `2-target-attach ${target.pid}`,
    '-target-detach',
    '-gdb-exit',
  ]);
  assert.match(watchdog.stderr(), /the client went away: detaching gdb from \d+/);
});

test('silence past the timeout (stdin still open) makes it detach and exit on its own', async (t) => {
  const target = sleeper(t);
  const watchdog = startWatchdog(t, target.pid!, { heartbeatMs: 50, timeoutMs: 200 });
  watchdog.child.stdin!.write('1-thread-info\n');
  assert.equal(await watchdog.exited, 0);
  assert.deepEqual(watchdog.logLines().slice(1), ['1-thread-info', '-target-detach', '-gdb-exit']);
  assert.match(watchdog.stderr(), /no heartbeat from the client/);
});

test('a target left stopped with no tracer gets SIGCONT; one stopped before the attach is left as it was', async (t) => {
  const target = sleeper(t);
  const watchdog = startWatchdog(t, target.pid!, { heartbeatMs: 50, timeoutMs: 60_000 });
  await waitFor('gdb to start', () => watchdog.logLines().length >= 1);
  process.kill(target.pid!, 'SIGSTOP');
  await waitFor('the target to stop', () => stateOf(target.pid!) === 'T');
  watchdog.child.stdin!.end();
  assert.equal(await watchdog.exited, 0);
  assert.equal(stateOf(target.pid!), 'S');
  assert.match(watchdog.stderr(), /\d+ is stopped with no tracer: SIGCONT/);

  const stoppedBefore = sleeper(t);
  process.kill(stoppedBefore.pid!, 'SIGSTOP');
  await waitFor('the second target to stop', () => stateOf(stoppedBefore.pid!) === 'T');
  const second = startWatchdog(t, stoppedBefore.pid!, { heartbeatMs: 50, timeoutMs: 60_000 });
  await waitFor('gdb to start', () => second.logLines().length >= 1);
  second.child.stdin!.end();
  assert.equal(await second.exited, 0);
  assert.equal(stateOf(stoppedBefore.pid!), 'T');
});

test('gdb that ends by itself ends the watchdog (and its channel)', async (t) => {
  const target = sleeper(t);
  const watchdog = startWatchdog(t, target.pid!, { heartbeatMs: 50, timeoutMs: 60_000 });
  watchdog.child.stdin!.write('-gdb-exit\n');
  assert.equal(await watchdog.exited, 0);
  assert.match(watchdog.stderr(), /^$/);
});

test('the heartbeat writes a line at once and then every interval of the clock, until stopped', () => {
  const clock = new ManualClock();
  const lines: string[] = [];
  const heartbeat = startHeartbeat((line) => lines.push(line), clock, 1000);
  assert.deepEqual(lines, [`${HEARTBEAT_LINE}\n`]);
  clock.advance(999);
  assert.equal(lines.length, 1);
  clock.advance(1);
  assert.equal(lines.length, 2);
  clock.advance(3000);
  assert.equal(lines.length, 5);
  heartbeat.stop();
  clock.advance(5000);
  assert.equal(lines.length, 5);
  assert.equal(clock.pending, 0);
});

test('a write that throws (channel closing) does not stop the heartbeat from being stoppable', () => {
  const clock = new ManualClock();
  const heartbeat = startHeartbeat(
    () => {
      throw new Error('closed');
    },
    clock,
    100,
  );
  clock.advance(300);
  heartbeat.stop();
  assert.equal(clock.pending, 0);
});

test('the command carries the tick and the number of silent ticks allowed', () => {
  const command = watchdogCommand({ pid: 42, heartbeatMs: 2000, timeoutMs: 10_000, sudo: true });
  assert.match(command, /^sh -c '.*' firefighter-gdb '42' '2\.000' '5' 'sudo' '#firefighter-heartbeat'$/s);
  assert.match(watchdogCommand({ pid: 42, heartbeatMs: 300, timeoutMs: 1000, sudo: false }), / '42' '0\.300' '4' '' /);
});
