// Health over real OpenSSH: the harness host is this machine, so its /proc is ours to compare.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { EventBus, type IncidentEvent } from '../../../src/core/events';
import { HealthMonitor, type HealthSampleEvent } from '../../../src/core/health/monitor';
import { HealthSampler } from '../../../src/core/health/sampler';
import type { HostHealth } from '../../../src/core/health/types';
import type { SshPool } from '../../../src/core/ssh/pool';
import { generateKey, makeTempDir, startSshHost, writeSshConfig, type SshHost } from '../../harness';
import { poolFor, waitFor, onCommandEnded } from '../ssh/support';

let web: SshHost;
let pool: SshPool;

before(async () => {
  const dir = makeTempDir('health-test');
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] });
  // gone-1: the same address on a port nothing listens on, so its reads fail as a down host's do.
  const server = createServer().listen(0, web.address);
  await new Promise((resolve) => server.once('listening', resolve));
  const closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  const { configFile } = writeSshConfig({
    dir,
    entries: [
      { host: web, identityFiles: [userKey.privateKeyPath] },
      { host: { ...web, port: closedPort }, alias: 'gone-1', identityFiles: [userKey.privateKeyPath] },
    ],
  });
  pool = poolFor(configFile);
});

after(async () => {
  pool.dispose();
  await web.stop();
});

test("one exec over ssh reads health, and the figures equal what the host's /proc says", { timeout: 30_000 }, async () => {
  const commands: IncidentEvent<'command.ended'>[] = [];
  const recorded = onCommandEnded(pool, (c) => commands.push(c));
  try {
    const health = (await new HealthSampler().sample(await pool.connect('web-1'))) as HostHealth;
    assert.equal(health.available, true);
    assert.equal(health.host, 'web-1');
    assert.equal(commands.length, 1);
    const stat = readFileSync('/proc/stat', 'utf8');
    assert.equal(health.cpus, stat.split('\n').filter((l) => /^cpu\d+ /.test(l)).length);
    const memTotal = Number(/MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) * 1024;
    assert.equal(health.memory.totalBytes, memTotal);
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    assert.ok(Math.abs(health.uptimeSeconds - uptime) < 3);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    health.load.forEach((l, i) => assert.ok(Math.abs(l - load[i]) < 0.5, `load ${health.load} vs ${load}`));
    // The sshd serving us runs as root and shows with its command line.
    assert.ok(health.processes.length > 0 && health.processes.every((p) => p.user !== '?'));
  } finally {
    recorded.dispose();
  }
});

test('the monitor refreshes a visible host over the pooled connection', { timeout: 30_000 }, async () => {
  const monitor = new HealthMonitor({ connect: (host) => pool.connect(host), intervalMs: 200, sampler: new HealthSampler() });
  const samples: HealthSampleEvent[] = [];
  monitor.onDidSample((e) => samples.push(e));
  monitor.start('web-1');
  try {
    await waitFor('three samples', () => samples.length >= 3, 15_000);
    assert.ok(samples.every((s) => s.reading.available && s.reading.cpus > 0));
  } finally {
    monitor.dispose();
  }
});

test("the monitor publishes a host's first sample and a failed read as incident events", { timeout: 30_000 }, async () => {
  const bus = new EventBus();
  const events: IncidentEvent[] = [];
  bus.onAny((e) => events.push(e));
  const monitor = new HealthMonitor({ connect: (host) => pool.connect(host), intervalMs: 200, sampler: new HealthSampler(), events: bus });
  let failedReads = 0;
  monitor.onDidFail(() => failedReads++);
  monitor.start('web-1');
  monitor.start('gone-1');
  try {
    await waitFor(
      'a sample of web-1 and three failed reads of gone-1',
      () => events.some((e) => e.name === 'health.sampled') && failedReads >= 3,
      20_000,
    );
  } finally {
    monitor.dispose();
  }
  const sampled = events.filter((e): e is IncidentEvent<'health.sampled'> => e.name === 'health.sampled');
  const failed = events.filter((e): e is IncidentEvent<'health.failed'> => e.name === 'health.failed');
  assert.equal(sampled[0].host, 'web-1');
  assert.equal(sampled[0].reason, 'first');
  assert.equal(sampled[0].source, 'health');
  assert.equal(
    sampled[0].cpus,
    readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((l) => /^cpu\d+ /.test(l)).length,
  );
  assert.ok(sampled[0].memoryAvailablePercent > 0 && sampled[0].memoryAvailablePercent <= 100);
  assert.equal(failed.length, 1, 'a host that stays down is one failure, not one per read');
  assert.equal(failed[0].host, 'gone-1');
  assert.match(failed[0].message, /gone-1/);
});
