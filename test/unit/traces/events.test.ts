// The traces features' incident events: trace.analysed with its payload, from the CLI and the core helper.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { makeTracesCommand } from '../../../src/cli/traces';
import { EventBus, type IncidentEvent } from '../../../src/core/events';
import { findStackTraces } from '../../../src/core/traces';
import { PathMappingRules } from '../../../src/core/traces/pathMappingRules';
import { publishFrameOpened, publishTraceAnalysed, topAppFrame } from '../../../src/core/traces/traceEvents';
import { ManualClock } from '../../../src/core/util/clock';
import { captureIo } from '../../support/cliIo';

const FIXTURES = path.join(__dirname, '../../fixtures/traces');

function recorded(): { bus: EventBus; events: IncidentEvent[] } {
  const bus = new EventBus(new ManualClock(1764660000000));
  const events: IncidentEvent[] = [];
  bus.onAny((event) => events.push(event));
  return { bus, events };
}

describe('trace events', () => {
  it('firefighter traces publishes trace.analysed for each trace, with its fingerprint, type and top app frame', async () => {
    const { bus, events } = recorded();
    const text =
      readFileSync(path.join(FIXTURES, 'java-caused-by.log'), 'utf8') + readFileSync(path.join(FIXTURES, 'go-panic.txt'), 'utf8');
    const io = captureIo({ stdin: Readable.from([Buffer.from(text)]) });
    assert.equal(await makeTracesCommand({ events: bus })(['--json'], io), 0);
    const printed = io
      .out()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { fingerprint: string; language: string });
    assert.deepEqual(
      events.map((event) => [event.name, event.source, event.at, 'fingerprint' in event ? event.fingerprint : null]),
      printed.map((trace) => ['trace.analysed', 'traces', 1764660000000, trace.fingerprint]),
    );
    const [java, go] = events as IncidentEvent<'trace.analysed'>[];
    const traces = findStackTraces(text);
    assert.equal(java.language, 'java');
    assert.equal(java.exception, traces[0].exceptions[0].type);
    const top = topAppFrame(traces[0]);
    assert.ok(top && top.app);
    assert.deepEqual(java.topAppFrame, { function: top.function, file: top.file, line: top.line });
    assert.equal(java.from, 'stdin');
    assert.equal(go.language, 'go');
    assert.equal(go.exception, 'panic');
  });

  it('names the host and leaves out what a trace does not have', () => {
    const { bus, events } = recorded();
    const [trace] = findStackTraces(
      '#0  0x00007f in __poll () from /lib/x86_64-linux-gnu/libc.so.6\n#1  0x00005 in main () from /usr/lib/libfoo.so\n',
    );
    publishTraceAnalysed(bus, trace, { host: 'web-1', from: 'web-1:/var/log/app.log' });
    assert.deepEqual(events, [
      {
        name: 'trace.analysed',
        at: 1764660000000,
        source: 'traces',
        fingerprint: trace.fingerprint,
        language: 'native',
        host: 'web-1',
        from: 'web-1:/var/log/app.log',
      },
    ]);
  });
});

describe('frame events', () => {
  it('frame.opened names the remote location and the workspace file:line at the deployed revision, or why it did not map', () => {
    const { bus, events } = recorded();
    const frame = { function: 'handle', file: '/srv/app/current/app/jobs.py', line: 20, host: 'web-1' };
    publishFrameOpened(bus, frame, { file: '/work/repo/app/jobs.py', line: 18, revision: '4f2a9c1' }, '');
    publishFrameOpened(bus, { function: null, file: '/opt/vendor/x.py', line: 3 }, null, 'no workspace folder maps it');
    assert.deepEqual(events, [
      {
        name: 'frame.opened',
        at: 1764660000000,
        source: 'traces',
        host: 'web-1',
        remote: { function: 'handle', file: '/srv/app/current/app/jobs.py', line: 20 },
        local: { file: '/work/repo/app/jobs.py', line: 18, revision: '4f2a9c1' },
      },
      {
        name: 'frame.opened',
        at: 1764660000000,
        source: 'traces',
        remote: { function: '?', file: '/opt/vendor/x.py', line: 3 },
        local: null,
        reason: 'no workspace folder maps it',
      },
    ]);
  });
});

describe('path-mapping rules', () => {
  it('holds the rules, tells listeners of a change (not of the same rules again), and filters by host', () => {
    const rules = new PathMappingRules();
    const heard: number[] = [];
    rules.onDidChange((next) => heard.push(next.length));
    rules.set([
      { remoteRoot: '/srv/app', localRoot: '/work/app' },
      { remoteRoot: '/opt/api', localRoot: '/work/api', host: 'api-1' },
    ]);
    rules.set([
      { remoteRoot: '/srv/app', localRoot: '/work/app' },
      { remoteRoot: '/opt/api', localRoot: '/work/api', host: 'api-1' },
    ]);
    assert.deepEqual(heard, [2]);
    assert.deepEqual(
      rules.forHost('web-1').map((rule) => rule.remoteRoot),
      ['/srv/app'],
    );
    assert.deepEqual(
      rules.forHost('api-1').map((rule) => rule.remoteRoot),
      ['/srv/app', '/opt/api'],
    );
    rules.set([]);
    assert.deepEqual(heard, [2, 0]);
    assert.deepEqual(rules.rules, []);
  });
});
