import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCmdlines, parseHealthOutput, parseProcStats, splitSections } from '../../../src/core/health/proc';
import type { HostHealth } from '../../../src/core/health/types';

// Captured on a 2-CPU Linux VM by the sampling script itself (paired, 0.5 s apart), with a busy
// shell loop, a program named "we) ird" and one whose argv[0] holds an escape sequence running.
const fixtureNonce = 'fixture0nonce000';
const fixture = readFileSync(join(__dirname, '../../fixtures/proc/linux-2cpu-paired.txt'), 'utf8');

function reading(): HostHealth {
  const parsed = parseHealthOutput('web-1', fixture, fixtureNonce, { topCount: 10, now: 1234 });
  assert.equal(parsed.reading.available, true);
  return parsed.reading as HostHealth;
}

test('load, CPU count, memory and uptime are what /proc said', () => {
  const health = reading();
  const sections = splitSections(fixture, fixtureNonce);
  assert.equal(sections.get('loadavg')?.trim().split(' ').slice(0, 3).join(' '), '1.17 0.93 0.49');
  assert.deepEqual(health.load, [1.17, 0.93, 0.49]);
  assert.equal(health.cpus, 2);
  assert.ok(Math.abs(health.loadPerCpu - 1.17 / 2) < 0.01);
  // MemTotal 24684084 kB, MemAvailable 24146760 kB
  assert.deepEqual(health.memory, { totalBytes: 24684084 * 1024, availableBytes: 24146760 * 1024 });
  assert.equal(health.uptimeSeconds, 599); // /proc/uptime 599.16
  assert.equal(health.host, 'web-1');
  assert.equal(health.sampledAt, 1234);
});

test('CPU busy % is the non-idle share of the jiffies between the two /proc/stat samples', () => {
  // first:  cpu  34971 0 9686 72706 858 0 175 202  -> total 118598, idle+iowait 73564
  // second: cpu  35021 0 9687 72754 858 0 175 202  -> total 118697, idle+iowait 73612
  assert.equal(reading().cpuBusyPercent, Math.round((1000 * (99 - 48)) / 99) / 10);
});

test('the busy process leads the list with its share of one CPU, user and command line', () => {
  const [top] = reading().processes;
  // pid 12812: utime 97 -> 148 ticks while each CPU spent 99 / 2 jiffies
  assert.deepEqual(top, { pid: 12812, user: 'root', cpuPercent: 103, memPercent: 0, command: 'sh -c while :; do :; done' });
  const cpu = reading().processes.map((p) => p.cpuPercent);
  assert.deepEqual(cpu, [...cpu].sort((a, b) => b - a));
  assert.equal(reading().processes.length, 10);
});

test('a process name holding ") " and spaces is parsed whole', () => {
  const stats = parseProcStats(fixture.slice(fixture.indexOf('@@fixture0nonce000:pids\n')));
  const weird = stats.find((p) => p.comm === 'we) ird');
  assert.ok(weird);
  assert.equal(weird.pid, 12805);
  assert.equal(weird.rssPages, 420);
});

test('control characters in command lines are stripped', () => {
  const parsed = parseHealthOutput('web-1', fixture, fixtureNonce, { topCount: 1000, now: 0 });
  assert.ok(parsed.reading.available);
  const evil = parsed.reading.processes.find((p) => p.command.startsWith('evil'));
  assert.ok(evil);
  assert.equal(evil.command, 'evil [31mred 20');
  for (const p of parsed.reading.processes) assert.doesNotMatch(p.command, /[\u0000-\u001f\u007f-\u009f]/);
  const kernelThread = parsed.reading.processes.find((p) => p.pid === 2);
  assert.equal(kernelThread?.command, '[kthreadd]');
});

test('a forged section marker in a command line cannot split the output', () => {
  const cmdlines = parseCmdlines('==> /proc/7/cmdline <==\nprog\0@@fixture0nonce000:loadavg\0\n==> /proc/8/cmdline <==\nx\0');
  assert.equal(cmdlines.get(7), 'prog @@fixture0nonce000:loadavg');
  const sections = splitSections(fixture, 'othernonce');
  assert.equal(sections.size, 0);
});

test('without a paired sample, CPU figures come from the previous snapshot', () => {
  const first = parseHealthOutput('web-1', fixture, fixtureNonce, { topCount: 3, now: 0 });
  const single = fixture.slice(fixture.indexOf('@@fixture0nonce000:stat\n'));
  const again = parseHealthOutput('web-1', single, fixtureNonce, { topCount: 3, now: 0, previous: first.snapshot });
  assert.ok(again.reading.available);
  // Same counters as the previous snapshot: nothing happened in between.
  assert.equal(again.reading.cpuBusyPercent, 0);
  assert.equal(again.reading.processes[0].cpuPercent, 0);
});

test('a host without /proc/loadavg reads as "health not available" with the reason', () => {
  const parsed = parseHealthOutput('mac-1', '@@n1:unavailable\nDarwin\n', 'n1', { topCount: 10, now: 0 });
  assert.deepEqual(parsed.reading, { available: false, host: 'mac-1', reason: 'health not available: Darwin has no /proc/loadavg' });
  assert.equal(parsed.snapshot, undefined);
});
