import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HealthSampler } from '../../../src/core/health/sampler';
import type { HostHealth } from '../../../src/core/health/types';
import type { ExecResult, RemoteRunner } from '../../../src/core/ssh/remote';
import { LocalRunner } from '../../support/localRunner';

function procCpuCount(): number {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l)).length;
}

test('one exec reads this machine, and the figures match /proc', async () => {
  const runner = new LocalRunner('this-box');
  const health = (await new HealthSampler({ pairDelaySeconds: 0.1 }).sample(runner)) as HostHealth;
  assert.equal(runner.commands.length, 1);
  assert.equal(health.available, true);
  assert.equal(health.host, 'this-box');
  assert.equal(health.cpus, procCpuCount());
  const memTotalKib = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
  assert.equal(health.memory.totalBytes, memTotalKib * 1024);
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  assert.ok(Math.abs(health.uptimeSeconds - uptime) <= 2, `${health.uptimeSeconds} vs ${uptime}`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  assert.ok(
    health.load.every((l, i) => Math.abs(l - load[i]) < 1),
    `${health.load} vs ${load}`,
  );
  assert.ok(health.cpuBusyPercent >= 0 && health.cpuBusyPercent <= 100);
});

test('a CPU-burning process shows with CPU time and an idle one without; the refresh reuses the previous sample and does not pause', async (t) => {
  // How much CPU the burner gets depends on how busy the machine is: the test asks only that the
  // burner used some and a sleeping process none, with every process listed so neither is cut.
  const burner = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => {
    burner.kill('SIGKILL');
    sleeper.kill('SIGKILL');
  });
  const runner = new LocalRunner();
  const sampler = new HealthSampler({ pairDelaySeconds: 0.3, topCount: 100_000 });
  const first = (await sampler.sample(runner)) as HostHealth;
  const cpuOf = (health: HostHealth, pid: number | undefined) => health.processes.find((p) => p.pid === pid)?.cpuPercent;
  assert.ok((cpuOf(first, burner.pid) ?? 0) > 0, `burner at ${cpuOf(first, burner.pid)}%`);
  assert.equal(cpuOf(first, sleeper.pid), 0);
  assert.match(runner.commands[0], /sleep 0\.3/);

  await new Promise((r) => setTimeout(r, 300));
  const second = (await sampler.sample(runner)) as HostHealth;
  assert.doesNotMatch(runner.commands[1], /sleep/);
  assert.ok((cpuOf(second, burner.pid) ?? 0) > 0, `burner at ${cpuOf(second, burner.pid)}%`);
  assert.equal(cpuOf(second, sleeper.pid), 0);
  assert.ok(second.cpuBusyPercent > 0, `busy ${second.cpuBusyPercent}%`);
});

test('a host without /proc says health is not available instead of failing', async () => {
  // Runs the real script with /proc/loadavg pointing nowhere and uname answering Darwin.
  const local = new LocalRunner('mac-1');
  const mac: RemoteRunner = {
    host: 'mac-1',
    exec: (command) =>
      local.exec(`uname() { echo Darwin; }; ${command.replace(/\/proc\/loadavg/g, '/nonexistent/loadavg').replace(/^sh -c /, 'eval ')}`),
    spawn: (command) => local.spawn(command),
  };
  const reading = await new HealthSampler().sample(mac);
  assert.deepEqual(reading, { available: false, host: 'mac-1', reason: 'health not available: Darwin has no /proc/loadavg' });
});

test('a failing read names the host and what went wrong', async () => {
  const broken: RemoteRunner = {
    host: 'web-9',
    exec: async (): Promise<ExecResult> => ({ exitCode: 127, signal: null, stdout: '', stderr: 'sh: not found\n' }),
    spawn: () => Promise.reject(new Error('unused')),
  };
  await assert.rejects(
    new HealthSampler().sample(broken),
    /^Error: web-9: reading health failed: sh: not found\. .*check that the login shell/,
  );
});
