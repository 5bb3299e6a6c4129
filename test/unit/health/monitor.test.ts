import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthMonitor, type HealthErrorEvent, type HealthSampleEvent } from '../../../src/core/health/monitor';
import { HealthSampler } from '../../../src/core/health/sampler';
import type { ExecOptions, ExecResult, RemoteRunner } from '../../../src/core/ssh/remote';
import { LocalRunner } from '../../support/localRunner';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real local runner whose reads take `delayMs` longer, counting how many run at once. */
class SlowRunner implements RemoteRunner {
  private readonly local: LocalRunner;
  active = 0;
  maxActive = 0;
  reads = 0;
  constructor(readonly host: string, private readonly delayMs: number) {
    this.local = new LocalRunner(host);
  }
  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    this.reads++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await sleep(this.delayMs);
      return await this.local.exec(command, options);
    } finally {
      this.active--;
    }
  }
  spawn(): never {
    throw new Error('unused');
  }
}

test('a watched host is sampled repeatedly until stopped', async () => {
  const runner = new LocalRunner('web-1');
  const monitor = new HealthMonitor({ connect: async () => runner, intervalMs: 20, sampler: new HealthSampler({ pairDelaySeconds: 0.05 }) });
  const samples: HealthSampleEvent[] = [];
  monitor.onDidSample((e) => samples.push(e));
  monitor.start('web-1');
  while (samples.length < 3) await sleep(10);
  assert.ok(samples.every((s) => s.host === 'web-1' && s.reading.available));
  assert.equal(monitor.latest('web-1'), samples[samples.length - 1].reading);
  monitor.stop('web-1');
  assert.equal(monitor.isWatching('web-1'), false);
  await sleep(150); // a read in flight may still report once
  const settled = samples.length;
  await sleep(150);
  assert.equal(samples.length, settled);
  monitor.dispose();
});

test('reads of one host never overlap, even with refreshes and a restart while reading', async () => {
  const runner = new SlowRunner('slow-1', 80);
  const monitor = new HealthMonitor({ connect: async () => runner, intervalMs: 1, sampler: new HealthSampler({ pairDelaySeconds: 0.01 }) });
  monitor.start('slow-1');
  for (let i = 0; i < 10; i++) {
    monitor.refresh('slow-1');
    if (i === 5) {
      monitor.stop('slow-1');
      monitor.start('slow-1');
    }
    await sleep(30);
  }
  monitor.dispose();
  assert.equal(runner.maxActive, 1);
  assert.ok(runner.reads >= 3, `${runner.reads} reads`);
});

test('a host that cannot be reached reports errors as events and keeps retrying', async () => {
  let attempts = 0;
  const monitor = new HealthMonitor({
    connect: async (host) => {
      attempts++;
      throw new Error(`${host}: connection refused`);
    },
    intervalMs: 10,
  });
  const errors: HealthErrorEvent[] = [];
  monitor.onDidFail((e) => errors.push(e));
  monitor.start('down-1');
  while (errors.length < 2) await sleep(5);
  assert.equal(errors[0].host, 'down-1');
  assert.equal(errors[0].error.message, 'down-1: connection refused');
  monitor.dispose();
  const after = attempts;
  await sleep(60);
  assert.equal(attempts, after, 'nothing runs after dispose');
});

test('several hosts are watched independently and dispose stops all of them', async () => {
  const runners = new Map(['a', 'b'].map((h) => [h, new SlowRunner(h, 5)]));
  const monitor = new HealthMonitor({
    connect: async (host) => runners.get(host)!,
    intervalMs: 10,
    sampler: new HealthSampler({ pairDelaySeconds: 0.01 }),
  });
  const hosts = new Set<string>();
  monitor.onDidSample((e) => hosts.add(e.host));
  monitor.start('a');
  monitor.start('b');
  while (hosts.size < 2) await sleep(5);
  monitor.dispose();
  await sleep(100);
  const reads = [...runners.values()].map((r) => r.reads);
  await sleep(100);
  assert.deepEqual([...runners.values()].map((r) => r.reads), reads);
  monitor.start('a');
  await sleep(50);
  assert.equal(runners.get('a')!.reads, reads[0], 'a disposed monitor starts nothing');
});
