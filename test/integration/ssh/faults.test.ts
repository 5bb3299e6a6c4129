import type { IncidentEvent } from '../../../src/core/events';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SshError } from '../../../src/core/ssh/errors';
import type { HostStateChange } from '../../../src/core/ssh/pool';
import {
  freePort,
  generateKey,
  makeTempDir,
  nextLoopbackAddress,
  startFaultProxy,
  startSshHost,
  viaProxy,
  writeSshConfig,
  type FaultProxy,
  type KeyPair,
  type SshHost,
} from '../../harness';
import { EventBus } from '../../../src/core/events/bus';
import { ManualClock } from '../../../src/core/util/clock';
import { TEST_TIMEOUT_MS, poolFor, waitFor, onCommandEnded } from './support';

let dir: string;
let userKey: KeyPair;
let web: SshHost;
let proxy: FaultProxy;
let configFile: string;

before(async () => {
  dir = makeTempDir('faults-test');
  userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey], allowTcpForwarding: true });
  proxy = await startFaultProxy({ target: web });
  const nowhere = { name: 'nowhere', address: nextLoopbackAddress(), port: await freePort() };
  ({ configFile } = writeSshConfig({
    dir,
    entries: [
      // web-1 is reached through the fault proxy; known_hosts names the address dialled.
      { host: viaProxy(web, proxy), identityFiles: [userKey.privateKeyPath] },
      { host: nowhere, identityFiles: [userKey.privateKeyPath] },
    ],
  }));
});

after(async () => {
  await Promise.all([web.stop(), proxy.stop()]);
});

test('an unreachable host fails at once with an error naming host and cause', { timeout: TEST_TIMEOUT_MS }, async () => {
  const pool = poolFor(configFile, { connectTimeoutMs: 3000 });
  try {
    const error = await pool.connect('nowhere').then(
      () => assert.fail('connected'),
      (e: unknown) => e as SshError,
    );
    // 'unreachable', not 'timeout': it failed on the refusal, not on the connect timeout.
    assert.equal(error.kind, 'unreachable');
    assert.match(error.message, /^nowhere \(127\.0\.0\.\d+:\d+\): connection refused/);
    assert.deepEqual(pool.state('nowhere'), { kind: 'error', message: error.message, error });
  } finally {
    pool.dispose();
  }
});

test(
  'a host that accepts TCP but never answers times out within the connect timeout, as last set',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const pool = poolFor(configFile, { connectTimeoutMs: 10_000 });
    pool.setConnectTimeout(1000); // the user changed the setting
    proxy.stall();
    try {
      const started = Date.now();
      const error = await pool.connect('web-1').then(
        () => assert.fail('connected'),
        (e: unknown) => e as SshError,
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1000, `${elapsed} ms`);
      assert.equal(error.kind, 'timeout');
      assert.equal(
        error.message.split('.').slice(0, 4).join('.'),
        `web-1 (${proxy.address}:${proxy.port}): connection timed out after 1 s`,
      );
    } finally {
      proxy.resume();
      pool.dispose();
    }
  },
);

// The backoff's spacing is checked on an injected clock: test/unit/ssh/pool-lifecycle.test.ts.

test(
  'Disconnect while a host waits out its backoff ends the wait, shows it idle, and the next Connect dials at once',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    // Time stands still on this clock: only the Disconnect can end the backoff wait.
    const pool = poolFor(configFile, { backoffInitialMs: 10_000, backoffMaxMs: 10_000, clock: new ManualClock() });
    const states: string[] = [];
    pool.onDidChangeState((change) => change.host === 'nowhere' && states.push(change.state.kind));
    try {
      await assert.rejects(pool.connect('nowhere'));
      const waiting = pool.connect('nowhere').then(
        () => assert.fail('connected'),
        (e: unknown) => e as SshError,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
      const timersWhileWaiting = timers();
      pool.disconnect('nowhere');
      const error = await waiting;
      assert.ok(timers() < timersWhileWaiting, 'the wait is gone, not left to run out');
      assert.equal(error.kind, 'closed');
      assert.match(error.message, /^nowhere \(127\.0\.0\.\d+:\d+\): disconnected while connecting\.$/);
      assert.deepEqual(pool.state('nowhere'), { kind: 'idle' });
      assert.deepEqual(states, ['connecting', 'error', 'idle']);
      // No backoff left over: the next attempt dials (and fails) without the clock moving.
      await assert.rejects(pool.connect('nowhere'), /connection refused/);
    } finally {
      pool.dispose();
    }
  },
);

test('a connect the user asks for does not wait out the backoff of automatic retries', { timeout: TEST_TIMEOUT_MS }, async () => {
  // Time stands still on this clock: only the user's connect can end the backoff wait.
  const pool = poolFor(configFile, { backoffInitialMs: 10_000, backoffMaxMs: 10_000, clock: new ManualClock() });
  try {
    await assert.rejects(pool.connect('nowhere'));
    const automatic = pool.connect('nowhere').then(
      () => assert.fail('connected'),
      (e: unknown) => e as SshError,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await assert.rejects(pool.connect('nowhere', { now: true }), /connection refused/);
    // The retry that was waiting shares that attempt.
    assert.match((await automatic).message, /connection refused/);
  } finally {
    pool.dispose();
  }
});

test(
  'Disconnect while dialling a host that does not answer stops the login at once and leaves nothing connected',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    // Time stands still on this clock: the connect timeout cannot end the dial, only the Disconnect.
    const pool = poolFor(configFile, { connectTimeoutMs: 10_000, clock: new ManualClock() });
    proxy.stall();
    try {
      const dialling = pool.connect('web-1').then(
        () => assert.fail('connected'),
        (e: unknown) => e as SshError,
      );
      await waitFor('the dial to reach the host', () => proxy.openConnections === 1, 2000);
      pool.disconnect('web-1');
      const error = await dialling;
      assert.match(error.message, /disconnected while connecting/);
      assert.deepEqual(pool.state('web-1'), { kind: 'idle' });
      // The login stops there: its TCP connection closes while the link is still stalled.
      await waitFor('the abandoned connection to close', () => proxy.openConnections === 0, 2000);
      proxy.resume();
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(pool.state('web-1'), { kind: 'idle' });
      await pool.runner('web-1').exec('true');
      assert.equal(pool.state('web-1').kind, 'connected');
    } finally {
      proxy.resume();
      pool.dispose();
    }
  },
);

test('every channel of one host rides one TCP connection', { timeout: TEST_TIMEOUT_MS }, async () => {
  const pool = poolFor(configFile);
  const before = proxy.connectionCount;
  try {
    const runner = pool.runner('web-1');
    const shell = await runner.openPty(undefined, { cols: 80, rows: 24 });
    const follower = await runner.spawn('for i in 1 2 3; do echo line $i; sleep 0.05; done');
    const forward = await runner.forwardOut(web.address, web.port);
    const banner = new Promise<string>((resolve) => forward.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runner.exec(`echo ${i}`)));
    assert.deepEqual(
      results.map((result) => result.stdout),
      Array.from({ length: 8 }, (_, i) => `${i}\n`),
    );
    assert.match(await banner, /^SSH-2\.0-OpenSSH/);
    assert.deepEqual(await follower.exit, { exitCode: 0, signal: null });
    shell.close();
    forward.destroy();
    assert.equal(proxy.connectionCount - before, 1);
    assert.equal(proxy.openConnections, 1);
  } finally {
    pool.dispose();
  }
});

test('a cut connection fails its open channels clearly, and the next use reconnects', { timeout: TEST_TIMEOUT_MS }, async () => {
  const pool = poolFor(configFile);
  const changes: HostStateChange[] = [];
  const commands: IncidentEvent<'command.ended'>[] = [];
  pool.onDidChangeState((change) => changes.push(change));
  onCommandEnded(pool, (record) => commands.push(record));
  const before = proxy.connectionCount;
  try {
    const runner = pool.runner('web-1');
    const streaming = await runner.spawn('while true; do echo tick; sleep 0.05; done');
    await new Promise((resolve) => streaming.stdout.once('data', resolve));
    const running = runner.exec('sleep 5.01');
    // Cut only once the command runs: a channel that never opened is retried on a new connection.
    for (let seen = ''; !seen;) seen = (await runner.exec('pgrep -f "sleep 5[.]01" || true')).stdout.trim();
    proxy.cut();

    const lost = await streaming.exit;
    assert.equal(lost.exitCode, null);
    assert.ok(lost.error instanceof SshError && lost.error.kind === 'closed');
    assert.match(lost.error.message, /^web-1 \(.+\): connection lost.* \(while running `while true/);
    await assert.rejects(running, (error: SshError) => error.kind === 'closed' && /connection lost.*sleep 5\.01/.test(error.message));
    assert.equal(pool.state('web-1').kind, 'error');

    assert.equal((await runner.exec('echo back')).stdout, 'back\n');
    assert.equal(pool.state('web-1').kind, 'connected');
    assert.equal(proxy.connectionCount - before, 2);
    assert.deepEqual(
      changes.map((change) => change.state.kind),
      ['connecting', 'connected', 'error', 'connecting', 'connected'],
    );
    assert.deepEqual(
      commands
        .filter(({ command }) => !command.startsWith('pgrep'))
        .map(({ command, exitCode }) => `${command} -> ${exitCode}`)
        .sort(),
      ['echo back -> 0', 'sleep 5.01 -> null', 'while true; do echo tick; sleep 0.05; done -> null'],
    );
  } finally {
    pool.dispose();
  }
});

test('a stalled link is noticed by keepalive and reported as lost', { timeout: TEST_TIMEOUT_MS }, async () => {
  const pool = poolFor(configFile, { keepaliveIntervalMs: 200, keepaliveCountMax: 2 });
  try {
    await pool.connect('web-1');
    proxy.stall();
    await waitFor('the connection to be declared lost', () => pool.state('web-1').kind === 'error', 3000);
    const state = pool.state('web-1');
    assert.ok(state.kind === 'error' && /connection lost: Keepalive timeout/.test(state.message), JSON.stringify(state));
  } finally {
    proxy.resume();
    pool.dispose();
  }
});

test('a connection with nothing open closes after the idle timeout', { timeout: TEST_TIMEOUT_MS }, async () => {
  const pool = poolFor(configFile, { idleTimeoutMs: 200 });
  try {
    const runner = pool.runner('web-1');
    await runner.exec('true');
    const streaming = await runner.spawn('sleep 0.5');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(pool.state('web-1').kind, 'connected', 'an open channel keeps it');
    await streaming.exit;
    await waitFor('the idle close', () => pool.state('web-1').kind === 'idle', 2000);
    await waitFor('the proxy to see the close', () => proxy.openConnections === 0, 2000);
  } finally {
    pool.dispose();
  }
});

test('exec with a timeout gives up at the timeout and says so', { timeout: TEST_TIMEOUT_MS }, async () => {
  const clock = new ManualClock();
  const events = new EventBus(clock);
  let started = false;
  events.on('command.started', () => (started = true));
  const pool = poolFor(configFile, { clock, events });
  const commands: IncidentEvent<'command.ended'>[] = [];
  onCommandEnded(pool, (record) => commands.push(record));
  try {
    const running = pool.runner('web-1').exec('sleep 30', { timeoutMs: 300 });
    await waitFor('the command to start', () => started);
    clock.advance(299);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(commands.length, 0, 'not before its timeout');
    clock.advance(1);
    await assert.rejects(
      running,
      (error: SshError) => error.kind === 'timeout' && /`sleep 30` did not finish within 0\.3 s/.test(error.message),
    );
    assert.equal(commands.length, 1);
    assert.equal(commands[0].exitCode, null);
    assert.match(commands[0].error ?? '', /did not finish/);
  } finally {
    pool.dispose();
  }
});
