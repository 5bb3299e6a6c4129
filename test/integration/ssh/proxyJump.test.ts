import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HostStateChange } from '../../../src/core/ssh/pool';
import {
  generateKey,
  makeTempDir,
  startBastion,
  startFaultProxy,
  startSshHost,
  viaProxy,
  writeSshConfig,
  type FaultProxy,
  type KeyPair,
  type SshHost,
} from '../../harness';
import { TEST_TIMEOUT_MS, poolFor, waitFor } from './support';

let dir: string;
let userKey: KeyPair;
let outer: SshHost;
let inner: SshHost;
let target: SshHost;
/** In front of the first hop, to count the TCP connections the pool makes. */
let outerProxy: FaultProxy;

before(async () => {
  dir = makeTempDir('jump-test');
  userKey = await generateKey({ dir, name: 'id_user' });
  const authorizedKeys = [userKey.publicKey];
  // DEBUG1 makes sshd log each direct-tcpip request with its target, which proves the route.
  [outer, inner, target] = await Promise.all([
    startBastion({ name: 'outer', authorizedKeys, extraConfig: ['LogLevel DEBUG1'] }),
    startBastion({ name: 'inner', authorizedKeys, extraConfig: ['LogLevel DEBUG1'] }),
    startSshHost({ name: 'db-1', authorizedKeys }),
  ]);
  outerProxy = await startFaultProxy({ target: outer });
});

after(async () => {
  await Promise.all([outer.stop(), inner.stop(), target.stop(), outerProxy.stop()]);
});

function writeConfig() {
  const identityFiles = [userKey.privateKeyPath];
  return writeSshConfig({
    dir,
    entries: [
      // The outer bastion is dialled through the fault proxy; its known_hosts name is the proxy's address.
      { host: viaProxy(outer, outerProxy), alias: 'outer', identityFiles },
      { host: inner, identityFiles },
      { host: target, identityFiles, proxyJump: 'outer,inner' },
    ],
  });
}

test('a two-hop ProxyJump reaches the target through both bastions', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = writeConfig();
  const pool = poolFor(configFile);
  const changes: HostStateChange[] = [];
  pool.onDidChangeState((change) => changes.push(change));
  try {
    const result = await pool.runner('db-1').exec('echo "$SSH_CONNECTION"; hostname');
    assert.equal(result.exitCode, 0);
    assert.ok(result.stdout.includes(` ${target.address} ${target.port}\n`), result.stdout);
    assert.ok(outer.log().includes(`target ${inner.address} port ${inner.port}`), 'the outer bastion opened the tunnel to the inner one');
    assert.ok(inner.log().includes(`target ${target.address} port ${target.port}`), 'the inner bastion opened the tunnel to the target');
    for (const host of ['outer', 'inner', 'db-1']) {
      assert.deepEqual(
        changes.filter((change) => change.host === host).map((change) => change.state.kind),
        ['connecting', 'connected'],
        host,
      );
    }
  } finally {
    pool.dispose();
  }
});

test('each hop is a pooled connection shared with direct use of that host', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = writeConfig();
  const pool = poolFor(configFile);
  const before = outerProxy.connectionCount;
  try {
    await Promise.all([pool.runner('db-1').exec('true'), pool.runner('db-1').exec('true')]);
    assert.equal((await pool.runner('outer').exec('echo direct')).stdout, 'direct\n');
    await pool.runner('db-1').exec('true');
    assert.equal(outerProxy.connectionCount - before, 1);
  } finally {
    pool.dispose();
  }
});

test(
  "a drop on the first hop fails the target's channels clearly, and the next use reconnects the chain",
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile } = writeConfig();
    const pool = poolFor(configFile);
    try {
      const runner = pool.runner('db-1');
      const streaming = await runner.spawn('while true; do echo tick; sleep 0.05; done');
      await new Promise((resolve) => streaming.stdout.once('data', resolve));
      const before = outerProxy.connectionCount;
      outerProxy.cut();
      const lost = await streaming.exit;
      assert.equal(lost.exitCode, null);
      assert.match(lost.error?.message ?? '', /^db-1 \(.+\): connection lost/);
      assert.equal((await runner.exec('echo again')).stdout, 'again\n');
      assert.equal(outerProxy.connectionCount - before, 1);
      assert.equal(pool.state('db-1').kind, 'connected');
    } finally {
      pool.dispose();
    }
  },
);

test('Disconnect while a jump host is still logging in stops that login too', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = writeConfig();
  const pool = poolFor(configFile, { connectTimeoutMs: 10_000 });
  const outerStates: string[] = [];
  pool.onDidChangeState((change) => change.host === 'outer' && outerStates.push(change.state.kind));
  outerProxy.stall();
  try {
    const dialling = pool.connect('db-1').then(
      () => assert.fail('connected'),
      (e: unknown) => e as Error,
    );
    await waitFor('the dial to reach the outer bastion', () => outerProxy.openConnections === 1, 2000);
    pool.disconnect('db-1');
    assert.match((await dialling).message, /disconnected while connecting/);
    // Nothing else needed the jump host: its login ends too, while the link is still stalled.
    await waitFor("the jump host's connection to close", () => outerProxy.openConnections === 0, 2000);
    outerProxy.resume();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(outerStates, ['connecting', 'idle'], 'the jump host shown idle, and not connected afterwards');
  } finally {
    outerProxy.resume();
    pool.dispose();
  }
});
