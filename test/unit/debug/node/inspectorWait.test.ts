// openNodeInspector's wait after SIGUSR1, on a ManualClock: a host whose /proc answers are the real
// captures (fixtures/), the inspector's socket appearing after some polls or never. Streams from the
// host answer as the real inspector did (its captured /json/version response) or as another server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import { openNodeInspector, type ForwardingRunner } from '../../../../src/core/debug/node/inspector';
import { ManualClock } from '../../../../src/core/util/clock';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const reported = JSON.parse(fixture('node-listeners.json')) as { inspector: string; servers: { port: number }[] };
const INSPECTOR_PORT = Number(reported.inspector);
/** The inspector's answer to GET /json/version, as node v20 sent it. */
const INSPECTOR_VERSION =
  'HTTP/1.0 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nCache-Control: no-cache\r\nContent-Length: 65\r\n\r\n{\n  "Browser": "node.js/v20.20.2",\n  "Protocol-Version": "1.1"\n} ';
const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';
const POLL_MS = 100;

/**
 * The captured process, with the inspector's socket among its fds only once `inspectorOpen()`;
 * with `portHeldElsewhere`, that socket is listed in the namespace all along (another process's).
 */
function fakeHost(inspectorOpen: () => boolean, portHeldElsewhere = false) {
  const commands: string[] = [];
  const forwards: number[] = [];
  const inspectorInode = fixture('proc-net-tcp.txt')
    .split('\n')
    .find((line) => line.includes(`:${INSPECTOR_PORT.toString(16).toUpperCase()} `))!
    .trim()
    .split(/\s+/)[9];
  const runner: ForwardingRunner = {
    host: 'web-1',
    async exec(command) {
      commands.push(command);
      if (command.startsWith('kill')) return { exitCode: 0, signal: null, stdout: '', stderr: '' };
      const nonce = /@@([0-9a-f]+):uid/.exec(command)![1];
      const fds = fixture('proc-fd-links.txt')
        .split('\n')
        .filter((line) => inspectorOpen() || line !== `socket:[${inspectorInode}]`)
        .join('\n');
      const tcp = (fixture('proc-net-tcp.txt') + fixture('proc-net-tcp6.txt'))
        .split('\n')
        .filter(
          (line) => line.split(/\s+/)[4] === '0A' && (inspectorOpen() || portHeldElsewhere || line.split(/\s+/)[10] !== inspectorInode),
        )
        .join('\n');
      const sections = {
        uid: '0',
        status: fixture('proc-status-node.txt'),
        exe: '/usr/bin/node',
        cmdline: `node --inspect-port=${INSPECTOR_PORT} /srv/app/server.js`,
        fds,
        tcp,
        end: '',
      };
      return {
        exitCode: 0,
        signal: null,
        stderr: '',
        stdout: Object.entries(sections)
          .map(([name, text]) => `@@${nonce}:${name}\n${text}\n`)
          .join(''),
      };
    },
    spawn: () => Promise.reject(new Error('not used')),
    async forwardOut(_address, port) {
      forwards.push(port);
      return answering(port === INSPECTOR_PORT ? INSPECTOR_VERSION : NOT_FOUND);
    },
  };
  return { runner, commands, forwards, probes: () => commands.filter((c) => c.includes(':uid')).length };
}

/** A stream that answers the first request written to it with `response`, then ends. */
function answering(response: string): Duplex {
  const stream = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      stream.push(response);
      stream.push(null);
      callback();
    },
  });
  return stream;
}

/** Runs `promise` to completion, advancing the clock one poll at a time while it waits. */
async function drive<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const result = promise.finally(() => (settled = true));
  result.catch(() => undefined);
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!settled && clock.pending > 0) clock.advance(POLL_MS);
  }
  return result;
}

test('after SIGUSR1 it polls until the inspector socket appears, then forwards it; the app server already listening is not taken', async () => {
  const clock = new ManualClock();
  let polls = 0;
  const host = fakeHost(() => polls >= 4);
  const exec = host.runner.exec.bind(host.runner);
  host.runner.exec = (command, options) => {
    if (command.includes(':uid') && host.commands.some((c) => c.startsWith('kill'))) polls++;
    return exec(command, options);
  };
  const inspector = await drive(clock, openNodeInspector(host.runner, 4242, { clock, pollMs: POLL_MS }));
  try {
    assert.equal(inspector.signalled, true);
    assert.equal(inspector.remotePort, INSPECTOR_PORT);
    assert.equal(host.probes(), 1 + 4, 'one probe before the signal, then one a poll until the socket showed');
    assert.deepEqual(
      host.commands.filter((c) => c.startsWith('kill')),
      ['kill -10 4242'],
    );
    // Before the signal each listening socket was asked whether it is an inspector (none was).
    assert.deepEqual(new Set(host.forwards.slice(0, reported.servers.length)), new Set(reported.servers.map((s) => s.port)));
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: inspector.localPort, path: '/json/version' }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    assert.equal(JSON.parse(body).Browser, 'node.js/v20.20.2', 'the local port reaches the host stream');
  } finally {
    await inspector.dispose();
  }
});

test('an inspector that never opens: the error comes when the injected clock passes the timeout, after a bounded number of polls', async () => {
  const clock = new ManualClock();
  const host = fakeHost(() => false);
  await assert.rejects(
    drive(clock, openNodeInspector(host.runner, 4242, { clock, pollMs: POLL_MS, timeoutMs: 1_000 })),
    /^NodeInspectorError: 4242 on web-1 did not open its inspector within 1 s after SIGUSR1/,
  );
  assert.equal(host.probes(), 1 + 11, 'polls at 0, 100, …, 1000 ms');
});

test("the inspector's port held by a socket the process does not own: the error names the port", async () => {
  const clock = new ManualClock();
  const host = fakeHost(() => false, true);
  await assert.rejects(
    drive(clock, openNodeInspector(host.runner, 4242, { clock, pollMs: POLL_MS, timeoutMs: 1_000 })),
    new RegExp(
      `^NodeInspectorError: 4242 on web-1 could not open its inspector: port ${INSPECTOR_PORT} is already taken by another process \\(listening on 127\\.0\\.0\\.1:${INSPECTOR_PORT}\\)`,
    ),
  );
});

test('an inspector already open is used without a signal', async () => {
  const host = fakeHost(() => true);
  const inspector = await openNodeInspector(host.runner, 4242, { clock: new ManualClock() });
  await inspector.dispose();
  assert.equal(inspector.signalled, false);
  assert.equal(inspector.remotePort, INSPECTOR_PORT);
  assert.deepEqual(
    host.commands.filter((c) => c.startsWith('kill')),
    [],
  );
  assert.equal(host.forwards[0], INSPECTOR_PORT, 'the expected port is asked first');
});
