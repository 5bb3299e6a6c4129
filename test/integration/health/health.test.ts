// Health over real OpenSSH: the harness host is this machine, so its /proc is ours to compare.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { HealthMonitor, type HealthSampleEvent } from '../../../src/core/health/monitor';
import { HealthSampler } from '../../../src/core/health/sampler';
import type { HostHealth } from '../../../src/core/health/types';
import type { CommandRecord, SshPool } from '../../../src/core/ssh/pool';
import { generateKey, makeTempDir, startSshHost, writeSshConfig, type SshHost } from '../../harness';
import { poolFor, waitFor } from '../ssh/support';

let web: SshHost;
let pool: SshPool;

before(async () => {
  const dir = makeTempDir('health-test');
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] });
  const { configFile } = writeSshConfig({ dir, entries: [{ host: web, identityFiles: [userKey.privateKeyPath] }] });
  pool = poolFor(configFile);
});

after(async () => {
  pool.dispose();
  await web.stop();
});

test('one exec over ssh reads health, and the figures equal what the host\'s /proc says', { timeout: 30_000 }, async () => {
  const commands: CommandRecord[] = [];
  const recorded = pool.onDidRunCommand((c) => commands.push(c));
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
  const monitor = new HealthMonitor({ connect: (host) => pool.connect(host), intervalMs: 200 });
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
