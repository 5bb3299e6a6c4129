import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeHealthCommand } from '../../../src/cli/health';
import { SshError } from '../../../src/core/ssh/errors';
import { captureIo } from '../../support/cliIo';
import { LocalRunner } from '../../support/localRunner';

const io = () => captureIo();

test('health --json prints one line in the documented shape (docs/architecture.md, "Contracts")', async () => {
  const streams = io();
  const code = await makeHealthCommand(async (host) => new LocalRunner(host))(['web-1', '--json'], streams);
  assert.equal(code, 0);
  const lines = streams.out().trimEnd().split('\n');
  assert.equal(lines.length, 1);
  const json = JSON.parse(lines[0]);
  assert.equal(json.host, 'web-1');
  assert.equal(typeof json.cpus, 'number');
  assert.equal(json.load.length, 3);
  assert.equal(typeof json.cpuBusyPercent, 'number');
  assert.deepEqual(Object.keys(json.memory), ['totalBytes', 'availableBytes']);
  assert.equal(typeof json.uptimeSeconds, 'number');
  assert.deepEqual(Object.keys(json.processes[0]), ['pid', 'user', 'cpuPercent', 'memPercent', 'command']);
});

test('health prints a readable report without --json', async () => {
  const streams = io();
  assert.equal(await makeHealthCommand(async (host) => new LocalRunner(host))(['web-1'], streams), 0);
  assert.match(streams.out(), /^web-1 {2}up .*\nload [\d.]+ [\d.]+ [\d.]+ · \d+ CPUs? \(/);
});

test('bad usage exits 2, an unreachable host 3, a refused host key its own code', async () => {
  const never = makeHealthCommand(async () => assert.fail('must not connect'));
  for (const args of [[], ['a', 'b'], ['--verbose']]) {
    const streams = io();
    assert.equal(await never(args, streams), 2);
    assert.match(streams.err(), /usage: firefighter health HOST/);
  }
  const down = io();
  const refused = makeHealthCommand(async (host) => {
    throw new Error(`${host}: connect ECONNREFUSED 127.0.0.1:22`);
  });
  assert.equal(await refused(['web-1'], down), 3);
  assert.equal(down.err(), 'firefighter: web-1: connect ECONNREFUSED 127.0.0.1:22\n');
  const keyChanged = makeHealthCommand(async () => {
    throw new SshError('hostKeyChanged', 'web-1', 'web-1: host key changed');
  });
  assert.equal(await keyChanged(['web-1'], io()), 4);
});
