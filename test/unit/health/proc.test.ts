import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  healthScript,
  parseCmdlines,
  parseHealthOutput,
  parseProcStats,
  splitHeadOutput,
  splitSections,
} from '../../../src/core/health/proc';
import type { HostHealth } from '../../../src/core/health/types';

// Captured on a 2-CPU Linux VM by the sampling script itself (a first read, paired 0.5 s apart),
// with a busy shell loop, programs named "we) ird" and "new\nline" and one whose argv[0] holds an
// escape sequence running; the sandbox's own agent command lines are replaced by a stand-in.
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
  const files = splitHeadOutput(sections.get('files') ?? '');
  assert.equal(files.get('/proc/loadavg'), '2.48 2.60 3.12 2/93 23202\n');
  assert.deepEqual(health.load, [2.48, 2.6, 3.12]);
  assert.equal(health.cpus, 2);
  assert.equal(health.loadPerCpu, 1.24);
  // MemTotal 24684084 kB, MemAvailable 24175208 kB
  assert.deepEqual(health.memory, { totalBytes: 24684084 * 1024, availableBytes: 24175208 * 1024 });
  assert.equal(health.uptimeSeconds, 4393); // /proc/uptime 4393.39
  assert.equal(health.host, 'web-1');
  assert.equal(health.sampledAt, 1234);
});

test('CPU busy % is the non-idle share of the jiffies between the two /proc/stat samples', () => {
  // first:  cpu  360933 2805 100828 399919 3344 0 1337 1407  -> total 870573, idle+iowait 403263
  // second: cpu  360984 2805 100828 399967 3344 0 1337 1407  -> total 870672, idle+iowait 403311
  assert.equal(reading().cpuBusyPercent, Math.round((1000 * (99 - 48)) / 99) / 10);
});

test('the busy process leads the list with its share of one CPU, user and command line', () => {
  const [top] = reading().processes;
  // pid 23182: utime 100 -> 150 ticks while each CPU spent 99 / 2 jiffies
  assert.deepEqual(top, { pid: 23182, user: 'root', cpuPercent: 101, memPercent: 0, command: 'sh -c while :; do :; done' });
  const cpu = reading().processes.map((p) => p.cpuPercent);
  assert.deepEqual(
    cpu,
    [...cpu].sort((a, b) => b - a),
  );
  assert.equal(reading().processes.length, 10);
});

test('a process name holding ") ", spaces or a newline is parsed whole', () => {
  const stats = parseProcStats(splitHeadOutput(splitSections(fixture, fixtureNonce).get('files') ?? ''));
  const weird = stats.find((p) => p.comm === 'we) ird');
  assert.ok(weird);
  assert.equal(weird.pid, 23178);
  assert.equal(weird.rssPages, 420);
  const newline = stats.find((p) => p.comm === 'new\nline');
  assert.equal(newline?.pid, 23179);
  assert.equal(newline.rssPages, 433);
  const parsed = parseHealthOutput('web-1', fixture, fixtureNonce, { topCount: 1000, now: 0 });
  assert.ok(parsed.reading.available);
  assert.equal(parsed.reading.processes.find((p) => p.pid === 23179)?.command, '/tmp/new line 20');
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
  const cmdlines = parseCmdlines('==> /proc/7/cmdline <==\nprog\0@@fixture0nonce000:files\0\n==> /proc/8/cmdline <==\nx\0');
  assert.equal(cmdlines.get(7), 'prog @@fixture0nonce000:files');
  const sections = splitSections(fixture, 'othernonce');
  assert.equal(sections.size, 0);
});

test('without a paired sample, CPU figures and the page size come from the previous snapshot', () => {
  const first = parseHealthOutput('web-1', fixture, fixtureNonce, { topCount: 1000, now: 0 });
  assert.equal(first.snapshot?.pageSize, 4096);
  const refresh = fixture.slice(fixture.indexOf('@@fixture0nonce000:files\n'));
  const previous = { ...first.snapshot!, pageSize: 8192 };
  const again = parseHealthOutput('web-1', refresh, fixtureNonce, { topCount: 1000, now: 0, previous });
  assert.ok(again.reading.available && first.reading.available);
  // Same counters as the previous snapshot: nothing happened in between.
  assert.equal(again.reading.cpuBusyPercent, 0);
  assert.equal(again.reading.processes[0].cpuPercent, 0);
  // Twice the page size, twice the memory share.
  const biggest = [...first.reading.processes].sort((a, b) => b.memPercent - a.memPercent)[0];
  const twice = again.reading.processes.find((p) => p.pid === biggest.pid);
  assert.ok(
    biggest.memPercent > 0 && twice && Math.abs(twice.memPercent - 2 * biggest.memPercent) <= 0.1,
    `${biggest.memPercent} -> ${twice?.memPercent}`,
  );
  assert.equal(again.snapshot?.pageSize, 8192);
  assert.throws(
    () => parseHealthOutput('web-1', refresh, fixtureNonce, { topCount: 3, now: 0 }),
    /web-1: health output is missing its pagesize section/,
  );
});

test('a refresh starts three programs whatever the process count; a first read also pauses and asks for the page size', () => {
  // What runs after the check for /proc (a host without it runs only uname).
  const programs = (script: string) => script.slice(script.indexOf('\nfi\n')).match(/\b(?:head|ls|cat|getconf|sleep|grep)\b/g);
  assert.deepEqual(programs(healthScript('n1')), ['head', 'ls', 'head']);
  assert.deepEqual(programs(healthScript('n1', 0.2)), ['head', 'getconf', 'sleep', 'sleep', 'head', 'ls', 'head']);
});

test('only the paths the script reads count as file headers, so a process name cannot forge one', () => {
  // A name has at most 15 bytes: enough for "\n==> x <==\n", too few for any path the script reads.
  const files = splitHeadOutput(
    '==> /proc/5/stat <==\n5 (\n==> x <==\n) S 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 99 0 12\n\n==> /proc/6/stat <==\n6 (b) S\n',
  );
  assert.deepEqual([...files.keys()], ['/proc/5/stat', '/proc/6/stat']);
  assert.deepEqual(parseProcStats(files), [{ pid: 5, comm: '\n==> x <==\n', ticks: 10, startTime: 99, rssPages: 12 }]);
});

test('a host without /proc/loadavg reads as "health not available" with the reason', () => {
  const parsed = parseHealthOutput('mac-1', '@@n1:unavailable\nDarwin\n', 'n1', { topCount: 10, now: 0 });
  assert.deepEqual(parsed.reading, { available: false, host: 'mac-1', reason: 'health not available: Darwin has no /proc/loadavg' });
  assert.equal(parsed.snapshot, undefined);
});
