import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventBus, eventLine, writeEventsTo, type IncidentEvent } from '../../../src/core/events';
import { ManualClock } from '../../../src/core/util/clock';
import { tempDir } from '../../support/tempDir';

test('an event carries its name, the clock time, its source and its payload', () => {
  const clock = new ManualClock(1_000);
  const bus = new EventBus(clock);
  const seen: IncidentEvent[] = [];
  bus.onAny((e) => seen.push(e));
  clock.advance(500);
  bus.publish('command.ended', 'pool', { host: 'web-1', id: '7', command: 'uptime', durationMs: 3, exitCode: 0 });
  assert.deepEqual(seen, [
    { name: 'command.ended', at: 1_500, source: 'pool', host: 'web-1', id: '7', command: 'uptime', durationMs: 3, exitCode: 0 },
  ]);
});

test('a named listener hears only its name; a disposed one hears nothing', () => {
  const bus = new EventBus(new ManualClock());
  const hosts: string[] = [];
  const sub = bus.on('health.failed', (e) => hosts.push(e.host));
  bus.publish('health.failed', 'health', { host: 'a', message: 'x' });
  bus.publish('log.stopped', 'follower', { host: 'b', path: '/p', reason: 'user' });
  sub.dispose();
  bus.publish('health.failed', 'health', { host: 'c', message: 'x' });
  assert.deepEqual(hosts, ['a']);
});

test('a listener that throws is reported and the others still hear the event', () => {
  const errors: unknown[] = [];
  const bus = new EventBus(new ManualClock(), (e) => errors.push(e));
  const heard: string[] = [];
  bus.onAny(() => {
    throw new Error('boom');
  });
  bus.onAny((e) => heard.push(e.name));
  bus.publish('health.failed', 'health', { host: 'a', message: 'x' });
  assert.deepEqual(heard, ['health.failed']);
  assert.equal((errors[0] as Error).message, 'boom');
});

test('--events writes one JSON line per event, host and source before the payload', (t) => {
  const dir = tempDir(t, 'events-');
  const file = join(dir, 'events.jsonl');
  const bus = new EventBus(new ManualClock(42));
  const sink = writeEventsTo(bus, file);
  bus.publish('connection.changed', 'pool', { host: 'web-1', state: 'connected' });
  bus.publish('trace.analysed', 'traces', { fingerprint: 'abc', language: 'python' });
  sink.dispose();
  bus.publish('health.failed', 'health', { host: 'a', message: 'not written' });
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.deepEqual(lines, [
    '{"name":"connection.changed","at":42,"host":"web-1","source":"pool","state":"connected"}',
    '{"name":"trace.analysed","at":42,"source":"traces","fingerprint":"abc","language":"python"}',
  ]);
  assert.equal(
    eventLine({ name: 'log.stopped', at: 1, source: 's', host: 'h', path: '/p', reason: 'r' }),
    '{"name":"log.stopped","at":1,"host":"h","source":"s","path":"/p","reason":"r"}\n',
  );
});

test('the manual clock fires due timers in order and only when advanced', () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b'), 20);
  clock.setTimeout(() => fired.push('a'), 10);
  const c = clock.setTimeout(() => fired.push('c'), 15);
  c.cancel();
  clock.advance(9);
  assert.deepEqual(fired, []);
  clock.advance(11);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(clock.now(), 20);
});
