// The pool's connection lifecycle driven by a ManualClock: backoff between failed dials, the
// reset when the host answered, settings refreshed at a redial, and the events it publishes.
// Hosts are an in-process ssh2 server, a port nobody listens on, and a TCP server that hangs up.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Server, utils, type ServerChannel } from 'ssh2';
import { EventBus } from '../../../src/core/events/bus';
import type { IncidentEvent } from '../../../src/core/events/types';
import { SshError } from '../../../src/core/ssh/errors';
import { SshPool, type SshPoolOptions } from '../../../src/core/ssh/pool';
import type { ResolvedHost } from '../../../src/core/ssh/types';
import { ManualClock } from '../../../src/core/util/clock';
import { tempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';

let server: Server;
let port: number;
/** Long-running commands the server holds open, by command text. */
const running = new Map<string, ServerChannel>();
/** The server's side of each connection, to drop them. */
const serverConnections = new Set<{ end(): void }>();

before(async () => {
  server = new Server({ hostKeys: [utils.generateKeyPairSync('ed25519').private] }, (client) => {
    serverConnections.add(client);
    client.on('authentication', (context) => (context.username === 'ops' ? context.accept() : context.reject()));
    client.on('ready', () =>
      client.on('session', (accept) =>
        accept().on('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          if (info.command.startsWith('hold')) {
            running.set(info.command, stream);
            return;
          }
          stream.write(`ran ${info.command}\n`);
          stream.exit(info.command === 'false' ? 1 : 0);
          stream.end();
        }),
      ),
    );
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => server.close());

function host(overrides: Partial<ResolvedHost> & { knownHostsFile: string }): ResolvedHost {
  const { knownHostsFile, ...rest } = overrides;
  return {
    alias: 'app-1',
    hostName: '127.0.0.1',
    port,
    user: 'ops',
    identityFiles: [],
    identitiesOnly: false,
    proxyJump: [],
    knownHostsFiles: [knownHostsFile],
    strictHostKeyChecking: 'accept-new',
    needsOpenSsh: [],
    ...rest,
  };
}

function makePool(resolve: () => ResolvedHost, options: Partial<SshPoolOptions> = {}) {
  const clock = new ManualClock();
  const bus = new EventBus(clock);
  const events: IncidentEvent[] = [];
  bus.onAny((event) => events.push(event));
  const pool = new SshPool({
    resolveHost: resolve,
    agentSocket: '',
    connectTimeoutMs: 5000,
    backoffInitialMs: 200,
    backoffMaxMs: 1000,
    events: bus,
    clock,
    ...options,
  });
  const attempts = () => events.filter((e) => e.name === 'connection.changed' && e.state === 'connecting').length;
  return { pool, clock, events, attempts };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A port on 127.0.0.1 that refuses connections until something listens on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const free = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

/** Starts a connect that must wait `waitMs` of clock time before its dial, and checks it does. */
async function dialAfter(fixture: ReturnType<typeof makePool>, waitMs: number): Promise<SshError> {
  const before = fixture.attempts();
  const result = fixture.pool.connect('app-1').then(
    () => assert.fail('connected'),
    (e: unknown) => e as SshError,
  );
  for (let i = 0; i < 5; i++) await turn();
  if (waitMs > 0) {
    fixture.clock.advance(waitMs - 1);
    for (let i = 0; i < 5; i++) await turn();
    assert.equal(fixture.attempts(), before, `no dial before ${waitMs} ms`);
    fixture.clock.advance(1);
  }
  await waitFor(`a dial at ${waitMs} ms`, () => fixture.attempts() > before);
  const error = await result;
  assert.equal(fixture.attempts(), before + 1, `one dial at ${waitMs} ms`);
  return error;
}

test('failed dials are spaced by initial × 2^(n-1), capped, counted on the injected clock', async (t) => {
  const knownHostsFile = join(tempDir(t, 'pool-backoff-'), 'known_hosts');
  const refused = await closedPort();
  const fixture = makePool(() => host({ port: refused, knownHostsFile }));
  try {
    assert.equal((await dialAfter(fixture, 0)).kind, 'unreachable');
    for (const wait of [200, 400, 800, 1000, 1000]) await dialAfter(fixture, wait);
  } finally {
    fixture.pool.dispose();
  }
});

test('a dial that fails after the host answered (handshake cut) starts the backoff over instead of growing it', async (t) => {
  const knownHostsFile = join(tempDir(t, 'pool-handshake-'), 'known_hosts');
  const flaky = await closedPort();
  const fixture = makePool(() => host({ port: flaky, knownHostsFile }));
  let hangUp: NetServer | undefined;
  try {
    await dialAfter(fixture, 0);
    await dialAfter(fixture, 200);
    await dialAfter(fixture, 400);
    // The network is back, but the link drops each connection before the login completes.
    hangUp = createServer((socket: Socket) => socket.destroy());
    await new Promise<void>((resolve) => hangUp!.listen(flaky, '127.0.0.1', resolve));
    await dialAfter(fixture, 800);
    // Not 1000 ms (the cap the count had reached): the next try comes after the initial delay.
    await dialAfter(fixture, 200);
    await dialAfter(fixture, 200);
  } finally {
    fixture.pool.dispose();
    hangUp?.close();
  }
});

test('a redial resolves the host again: an edited StrictHostKeyChecking applies without a new pool', async (t) => {
  const dir = tempDir(t, 'pool-refresh-');
  let policy: ResolvedHost['strictHostKeyChecking'] = 'yes';
  const fixture = makePool(() => host({ strictHostKeyChecking: policy, knownHostsFile: join(dir, 'known_hosts') }));
  try {
    const refused = await fixture.pool.connect('app-1').then(
      () => assert.fail('connected'),
      (e: unknown) => e as SshError,
    );
    assert.equal(refused.kind, 'hostKeyUnknown');
    policy = 'accept-new'; // the user edits ssh_config
    await fixture.pool.connect('app-1');
    assert.equal(fixture.pool.state('app-1').kind, 'connected');
  } finally {
    fixture.pool.dispose();
  }
});

test('reconcile closes a connection whose host now resolves elsewhere and keeps one that did not move', async (t) => {
  const dir = tempDir(t, 'pool-reconcile-');
  const fixture = makePool(() => host({ knownHostsFile: join(dir, 'known_hosts') }));
  try {
    await fixture.pool.connect('app-1');
    fixture.pool.reconcile(() => host({ knownHostsFile: join(dir, 'known_hosts') }));
    assert.equal(fixture.pool.state('app-1').kind, 'connected');
    fixture.pool.reconcile(() => host({ user: 'deploy', knownHostsFile: join(dir, 'known_hosts') }));
    assert.equal(fixture.pool.state('app-1').kind, 'idle');
    fixture.pool.reconcile(() => undefined); // an idle host is left alone, whatever it resolves to
    assert.equal(fixture.pool.state('app-1').kind, 'idle');
  } finally {
    fixture.pool.dispose();
  }
});

test('connection.changed: connecting, connected, idle after the idle timeout, disconnected by the user, failed with the kind', async (t) => {
  const dir = tempDir(t, 'pool-events-');
  let user = 'ops';
  const fixture = makePool(() => host({ user, knownHostsFile: join(dir, 'known_hosts') }), { idleTimeoutMs: 60_000 });
  const changes = () => fixture.events.filter((e) => e.name === 'connection.changed').map(({ at: _at, ...rest }) => rest);
  try {
    await fixture.pool.runner('app-1').exec('true');
    fixture.clock.advance(60_000);
    await fixture.pool.connect('app-1');
    fixture.pool.disconnect('app-1');
    user = 'intruder';
    await assert.rejects(fixture.pool.connect('app-1'));
    assert.deepEqual(changes(), [
      { name: 'connection.changed', source: 'pool', host: 'app-1', state: 'connecting' },
      { name: 'connection.changed', source: 'pool', host: 'app-1', state: 'connected' },
      { name: 'connection.changed', source: 'pool', host: 'app-1', state: 'idle' },
      { name: 'connection.changed', source: 'pool', host: 'app-1', state: 'connecting' },
      { name: 'connection.changed', source: 'pool', host: 'app-1', state: 'connected' },
      { name: 'connection.changed', source: 'pool', host: 'app-1', state: 'disconnected', byUser: true },
      { name: 'connection.changed', source: 'pool', host: 'app-1', state: 'connecting' },
      {
        name: 'connection.changed',
        source: 'pool',
        host: 'app-1',
        state: 'failed',
        kind: 'auth',
        message: (fixture.pool.state('app-1') as { message: string }).message,
      },
    ]);
  } finally {
    fixture.pool.dispose();
  }
});

test('command.started is published when a command starts, command.ended with the same id, exit code and duration on the clock', async (t) => {
  const dir = tempDir(t, 'pool-commands-');
  const fixture = makePool(() => host({ knownHostsFile: join(dir, 'known_hosts') }));
  const commandEvents = () => fixture.events.filter((e) => e.name === 'command.started' || e.name === 'command.ended');
  try {
    const process = await fixture.pool.runner('app-1').spawn('hold tail -f app.log');
    const [started] = commandEvents();
    assert.ok(started && started.name === 'command.started');
    assert.deepEqual(
      { ...started, id: undefined },
      { name: 'command.started', at: fixture.clock.now(), source: 'pool', host: 'app-1', id: undefined, command: 'hold tail -f app.log' },
    );
    assert.match(started.id, /^[0-9a-f-]{36}$/);
    assert.equal(commandEvents().length, 1, 'nothing ended yet');

    fixture.clock.advance(1500);
    await waitFor('the server to hold the command', () => running.has('hold tail -f app.log'));
    running.get('hold tail -f app.log')!.exit('TERM');
    running.get('hold tail -f app.log')!.end();
    await process.exit;
    const ended = commandEvents()[1];
    assert.deepEqual(ended, {
      name: 'command.ended',
      at: fixture.clock.now(),
      source: 'pool',
      host: 'app-1',
      id: started.id,
      command: 'hold tail -f app.log',
      durationMs: 1500,
      exitCode: null,
      signal: 'SIGTERM',
    });

    await fixture.pool.runner('app-1').exec('false');
    const [, , execStarted, execEnded] = commandEvents();
    assert.equal(execStarted.name, 'command.started');
    assert.deepEqual(execEnded, {
      name: 'command.ended',
      at: fixture.clock.now(),
      source: 'pool',
      host: 'app-1',
      id: (execStarted as { id: string }).id,
      command: 'false',
      durationMs: 0,
      exitCode: 1,
    });
  } finally {
    fixture.pool.dispose();
  }
});

test('a command cut off by a lost connection ends with its error and no exit code', async (t) => {
  const dir = tempDir(t, 'pool-lost-');
  const fixture = makePool(() => host({ knownHostsFile: join(dir, 'known_hosts') }));
  try {
    const process = await fixture.pool.runner('app-1').spawn('hold forever');
    await waitFor('the server to hold the command', () => running.has('hold forever'));
    fixture.pool.disconnect('app-1');
    const { error } = await process.exit;
    const ended = fixture.events.find((e) => e.name === 'command.ended');
    assert.ok(ended && ended.name === 'command.ended');
    assert.equal(ended.exitCode, null);
    assert.equal(ended.error, error!.message);
    assert.match(ended.error!, /the connection was closed\. \(while running `hold forever`\)$/);
  } finally {
    fixture.pool.dispose();
  }
});

test('connection.changed: a live connection dropped by the host is "disconnected", not by the user, with the kind', async (t) => {
  const dir = tempDir(t, 'pool-drop-');
  const fixture = makePool(() => host({ knownHostsFile: join(dir, 'known_hosts') }));
  try {
    await fixture.pool.connect('app-1');
    for (const connection of serverConnections) connection.end();
    await waitFor('the drop to be noticed', () => fixture.pool.state('app-1').kind === 'error');
    const last = fixture.events.filter((e) => e.name === 'connection.changed').at(-1)!;
    assert.deepEqual(
      { ...last, at: undefined },
      {
        name: 'connection.changed',
        at: undefined,
        source: 'pool',
        host: 'app-1',
        state: 'disconnected',
        byUser: false,
        kind: 'closed',
        message: `app-1 (127.0.0.1:${port}): connection lost. It reconnects on next use.`,
      },
    );
  } finally {
    fixture.pool.dispose();
  }
});
