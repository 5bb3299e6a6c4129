import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatCpuBusy, formatHealthText, formatLoad, formatMemory, formatUptime } from '../../../src/core/health/format';
import type { HostHealth } from '../../../src/core/health/types';

const health: HostHealth = {
  available: true,
  host: 'web-1',
  cpus: 4,
  load: [0.42, 0.3, 0.2],
  loadPerCpu: 0.11,
  cpuBusyPercent: 12.5,
  memory: { totalBytes: 3.8 * 2 ** 30, availableBytes: 2.6 * 2 ** 30 },
  uptimeSeconds: 3 * 86400 + 4 * 3600 + 59,
  processes: [{ pid: 4242, user: 'www-data', cpuPercent: 97.3, memPercent: 1.5, command: 'python3 app.py' }],
  sampledAt: 0,
};

test('the tree lines read like the issue describes', () => {
  assert.equal(formatLoad(health), 'load 0.42 0.30 0.20 · 4 CPUs (0.11/CPU)');
  assert.equal(formatLoad({ ...health, cpus: 1, loadPerCpu: 0.42 }), 'load 0.42 0.30 0.20 · 1 CPU (0.42/CPU)');
  assert.equal(formatMemory(health), 'mem 1.2 GiB / 3.8 GiB');
  assert.equal(formatUptime(health.uptimeSeconds), 'up 3d 4h');
  assert.equal(formatCpuBusy(health), 'cpu 12.5% busy');
});

test('uptime and sizes pick readable units', () => {
  assert.equal(formatUptime(5 * 3600 + 12 * 60), 'up 5h 12m');
  assert.equal(formatUptime(7 * 60 + 3), 'up 7m');
  assert.equal(formatUptime(42.7), 'up 42s');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(300 * 2 ** 20), '300 MiB');
});

test('the text report lists figures then the process table', () => {
  const text = formatHealthText(health);
  assert.match(
    text,
    /^web-1 {2}up 3d 4h\nload 0\.42 .*\ncpu 12\.5% busy\nmem 1\.2 GiB \/ 3\.8 GiB\n\n +PID USER +%CPU +%MEM {2}COMMAND\n +4242 www-data +97\.3 +1\.5 {2}python3 app\.py\n$/,
  );
  assert.equal(
    formatHealthText({ available: false, host: 'mac-1', reason: 'health not available: Darwin has no /proc/loadavg' }),
    'mac-1: health not available: Darwin has no /proc/loadavg\n',
  );
});
