// The health monitor's scheduling and its incident events. Time is a ManualClock: each test waits
// for a state (a sample, a failure, a pending timer), never for a gap or a count in a time window.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EventBus, type IncidentEvent } from '../../../src/core/events';
import { HealthMonitor, type HealthErrorEvent, type HealthSampleEvent } from '../../../src/core/health/monitor';
import { HealthSampler } from '../../../src/core/health/sampler';
import type { HealthReading, HostHealth } from '../../../src/core/health/types';
import type { RemoteRunner } from '../../../src/core/ssh/remote';
import { ManualClock } from '../../../src/core/util/clock';
import type { Event } from '../../../src/core/util/events';
import { LocalRunner } from '../../support/localRunner';

const INTERVAL = 5_000;

/** The next event `event` fires. */
function next<T>(event: Event<T>): Promise<T> {
  return new Promise((resolve) => {
    const subscription = event((e) => {
      subscription.dispose();
      resolve(e);
    });
  });
}

/** A runner that is never used: the scripted samplers below do not exec. */
const noRunner = (host: string): RemoteRunner => ({
  host,
  exec: () => Promise.reject(new Error('unused')),
  spawn: () => {
    throw new Error('unused');
  },
});

function health(host: string, loadPerCpu: number, availablePercent: number): HostHealth {
  const cpus = 4;
  const totalBytes = 8 * 1024 ** 3;
  return {
    available: true,
    host,
    cpus,
    load: [loadPerCpu * cpus, 1, 0.5],
    loadPerCpu,
    cpuBusyPercent: 50,
    memory: { totalBytes, availableBytes: (totalBytes * availablePercent) / 100 },
    uptimeSeconds: 1000,
    processes: [],
    sampledAt: 0,
  };
}

/** A sampler that answers each read with the next scripted reading or error. */
class ScriptedSampler {
  reads = 0;
  constructor(private readonly script: (HealthReading | Error)[]) {}
  async sample(): Promise<HealthReading> {
    const step = this.script[Math.min(this.reads++, this.script.length - 1)];
    if (step instanceof Error) throw step;
    return step;
  }
}

/** A sampler whose reads finish only when the test says so, counting how many run at once. */
class GatedSampler {
  active = 0;
  maxActive = 0;
  reads = 0;
  private release: (() => void)[] = [];
  async sample(runner: RemoteRunner): Promise<HealthReading> {
    this.reads++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise<void>((resolve) => this.release.push(resolve));
    this.active--;
    return health(runner.host, 0.1, 50);
  }
  finishOne(): void {
    this.release.shift()?.();
  }
}

function monitorWith(sampler: { sample: (runner: RemoteRunner) => Promise<HealthReading> }) {
  const clock = new ManualClock();
  const bus = new EventBus(clock);
  const events: IncidentEvent[] = [];
  bus.onAny((e) => events.push(e));
  const monitor = new HealthMonitor({ connect: async (host) => noRunner(host), intervalMs: INTERVAL, sampler, events: bus, clock });
  return { clock, events, monitor };
}

test('a watched host is read again one interval after its last read ended, until stopped', async () => {
  const clock = new ManualClock();
  const runner = new LocalRunner('web-1');
  const monitor = new HealthMonitor({
    connect: async () => runner,
    intervalMs: INTERVAL,
    sampler: new HealthSampler({ pairDelaySeconds: 0.01 }),
    clock,
  });
  const first = next(monitor.onDidSample);
  monitor.start('web-1');
  const sample = await first;
  assert.equal(sample.host, 'web-1');
  assert.equal(sample.reading.available, true);
  assert.equal(monitor.latest('web-1'), sample.reading);
  assert.equal(clock.pending, 1, 'the next read is scheduled');
  clock.advance(INTERVAL - 1);
  assert.equal(clock.pending, 1, 'not before the interval');
  const second = next(monitor.onDidSample);
  clock.advance(1);
  assert.equal(clock.pending, 0, 'the read is under way');
  await second;
  assert.equal(runner.commands.length, 2);
  monitor.stop('web-1');
  assert.equal(monitor.isWatching('web-1'), false);
  assert.equal(clock.pending, 0, 'nothing is scheduled after stop');
  monitor.dispose();
});

test('reads of one host never overlap, even with refreshes and a restart while reading', async () => {
  const sampler = new GatedSampler();
  const { clock, monitor } = monitorWith(sampler);
  monitor.start('slow-1');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sampler.active, 1);
  monitor.refresh('slow-1');
  monitor.refresh('slow-1');
  monitor.stop('slow-1');
  monitor.start('slow-1');
  monitor.refresh('slow-1');
  assert.equal(sampler.reads, 1, 'asked again while reading: waits for the read');
  const afterFirst = next(monitor.onDidSample);
  sampler.finishOne();
  await afterFirst;
  // Asked for meanwhile: read again at once, not after the interval, and still one at a time.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sampler.reads, 2);
  assert.equal(clock.pending, 0);
  const afterSecond = next(monitor.onDidSample);
  sampler.finishOne();
  await afterSecond;
  assert.equal(sampler.maxActive, 1);
  assert.equal(clock.pending, 1, 'then back to the interval');
  monitor.dispose();
});

test('a host that cannot be reached reports each failure and keeps retrying every interval', async () => {
  const clock = new ManualClock();
  let attempts = 0;
  const monitor = new HealthMonitor({
    connect: async (host) => {
      attempts++;
      throw new Error(`${host}: connection refused`);
    },
    intervalMs: INTERVAL,
    sampler: new HealthSampler(),
    clock,
  });
  const firstFailure = next(monitor.onDidFail);
  monitor.start('down-1');
  const failure: HealthErrorEvent = await firstFailure;
  assert.equal(failure.host, 'down-1');
  assert.equal(failure.error.message, 'down-1: connection refused');
  const secondFailure = next(monitor.onDidFail);
  clock.advance(INTERVAL);
  await secondFailure;
  assert.equal(attempts, 2);
  monitor.dispose();
  assert.equal(clock.pending, 0, 'nothing runs after dispose');
});

test('several hosts are watched independently and dispose stops all of them', async () => {
  const sampler = new ScriptedSampler([health('any', 0.1, 50)]);
  const clock = new ManualClock();
  const monitor = new HealthMonitor({ connect: async (host) => noRunner(host), intervalMs: INTERVAL, sampler, clock });
  const hosts = new Set<string>();
  const both = new Promise<void>((resolve) =>
    monitor.onDidSample((e: HealthSampleEvent) => {
      hosts.add(e.host);
      if (hosts.size === 2) resolve();
    }),
  );
  monitor.start('a');
  monitor.start('b');
  await both;
  assert.equal(clock.pending, 2);
  monitor.stop('a');
  assert.equal(clock.pending, 1, 'stopping one leaves the other');
  monitor.dispose();
  assert.equal(clock.pending, 0);
  monitor.start('a');
  assert.equal(monitor.isWatching('a'), false, 'a disposed monitor starts nothing');
  assert.equal(sampler.reads, 2);
});

test("health.sampled: a host's first sample, with the figures this machine's /proc gives", async () => {
  const clock = new ManualClock();
  const bus = new EventBus(clock);
  const events: IncidentEvent[] = [];
  bus.onAny((e) => events.push(e));
  const monitor = new HealthMonitor({
    connect: async (host) => new LocalRunner(host),
    intervalMs: INTERVAL,
    sampler: new HealthSampler({ pairDelaySeconds: 0.01 }),
    events: bus,
    clock,
  });
  const sampled = next(monitor.onDidSample);
  monitor.start('web-1');
  const reading = (await sampled).reading as HostHealth;
  monitor.dispose();
  const cpus = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l)).length;
  assert.equal(events.length, 1);
  assert.deepEqual(events[0], {
    name: 'health.sampled',
    at: clock.now(),
    source: 'health',
    host: 'web-1',
    reason: 'first',
    cpus,
    load: reading.load,
    loadPerCpu: reading.loadPerCpu,
    cpuBusyPercent: reading.cpuBusyPercent,
    memoryAvailablePercent: (reading.memory.availableBytes / reading.memory.totalBytes) * 100,
  });
});

/** Starts `host`, then reads it once per step of the script, returning the events published. */
async function eventsOf(script: (HealthReading | Error)[]): Promise<IncidentEvent[]> {
  const { clock, events, monitor } = monitorWith(new ScriptedSampler(script));
  for (let i = 0; i < script.length; i++) {
    const done = new Promise<void>((resolve) => {
      const a = monitor.onDidSample(() => (a.dispose(), b.dispose(), resolve()));
      const b = monitor.onDidFail(() => (a.dispose(), b.dispose(), resolve()));
    });
    if (i === 0) monitor.start('web-1');
    else clock.advance(INTERVAL);
    await done;
  }
  monitor.dispose();
  return events;
}

const reasons = (events: IncidentEvent[]) => events.map((e) => (e.name === 'health.sampled' ? `${e.name}:${e.reason}` : e.name));

test('health.sampled: unchanged samples publish nothing after the first', async () => {
  const events = await eventsOf([health('web-1', 0.2, 60), health('web-1', 0.5, 40), health('web-1', 0.9, 11)]);
  assert.deepEqual(reasons(events), ['health.sampled:first']);
});

test('health.sampled: load per CPU crossing 1.0 up, then down', async () => {
  const events = await eventsOf([health('web-1', 0.5, 50), health('web-1', 1.0, 50), health('web-1', 1.7, 50), health('web-1', 0.99, 50)]);
  assert.deepEqual(reasons(events), ['health.sampled:first', 'health.sampled:loadHigh', 'health.sampled:loadNormal']);
  const high = events[1] as IncidentEvent<'health.sampled'>;
  assert.deepEqual(
    {
      host: high.host,
      cpus: high.cpus,
      load: high.load,
      loadPerCpu: high.loadPerCpu,
      cpuBusyPercent: high.cpuBusyPercent,
      memoryAvailablePercent: high.memoryAvailablePercent,
    },
    { host: 'web-1', cpus: 4, load: [4, 1, 0.5], loadPerCpu: 1.0, cpuBusyPercent: 50, memoryAvailablePercent: 50 },
  );
  assert.equal((events[2] as IncidentEvent<'health.sampled'>).loadPerCpu, 0.99);
});

test('health.sampled: memory available crossing under 10 %, then over', async () => {
  const events = await eventsOf([health('web-1', 0.1, 30), health('web-1', 0.1, 9.5), health('web-1', 0.1, 5), health('web-1', 0.1, 10)]);
  assert.deepEqual(reasons(events), ['health.sampled:first', 'health.sampled:memoryLow', 'health.sampled:memoryNormal']);
  assert.equal((events[1] as IncidentEvent<'health.sampled'>).memoryAvailablePercent, 9.5);
});

test('health.sampled: both crossing in one sample are two events', async () => {
  const events = await eventsOf([health('web-1', 0.1, 50), health('web-1', 2, 3)]);
  assert.deepEqual(reasons(events), ['health.sampled:first', 'health.sampled:loadHigh', 'health.sampled:memoryLow']);
});

test('health.failed: once per run of failures with the same message, then recovered', async () => {
  const refused = new Error('web-1: connection refused');
  const events = await eventsOf([
    health('web-1', 0.1, 50),
    refused,
    refused,
    new Error('web-1: timed out'),
    health('web-1', 0.1, 50),
    health('web-1', 0.1, 50),
  ]);
  assert.deepEqual(reasons(events), ['health.sampled:first', 'health.failed', 'health.failed', 'health.sampled:recovered']);
  assert.deepEqual(
    events.filter((e) => e.name === 'health.failed'),
    [
      { name: 'health.failed', at: events[1].at, source: 'health', host: 'web-1', message: 'web-1: connection refused' },
      { name: 'health.failed', at: events[2].at, source: 'health', host: 'web-1', message: 'web-1: timed out' },
    ],
  );
  assert.equal(events[2].at - events[1].at, 2 * INTERVAL, "stamped with the monitor's clock");
});

test('a host without /proc publishes no sample event', async () => {
  const events = await eventsOf([{ available: false, host: 'mac-1', reason: 'health not available: Darwin has no /proc' }]);
  assert.deepEqual(events, []);
});
