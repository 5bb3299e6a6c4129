// Edits to a host's ssh_config apply at its next dial, without a new pool (a window reload in
// the extension), and the pool's events against a real OpenSSH host.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventBus } from '../../../src/core/events/bus';
import type { IncidentEvent } from '../../../src/core/events/types';
import type { SshError } from '../../../src/core/ssh/errors';
import { generateKey, makeTempDir, startSshHost, writeSshConfig, type KeyPair, type SshHost } from '../../harness';
import { loadSshConfig } from '../../../src/core/ssh/config';
import { TEST_TIMEOUT_MS, poolFor } from './support';

let dir: string;
let goodKey: KeyPair;
let otherKey: KeyPair;
let web: SshHost;

before(async () => {
  dir = makeTempDir('redial-test');
  goodKey = await generateKey({ dir, name: 'id_good' });
  otherKey = await generateKey({ dir, name: 'id_other' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [goodKey.publicKey] });
});

after(() => web.stop());

test('an IdentityFile edited after a failed login is used at the next connect of the same pool', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = writeSshConfig({ dir, entries: [{ host: web, identityFiles: [otherKey.privateKeyPath], identitiesOnly: true }] });
  const pool = poolFor(configFile);
  try {
    const refused = await pool.connect('web-1').then(
      () => assert.fail('logged in'),
      (e: unknown) => e as SshError,
    );
    assert.equal(refused.kind, 'auth');
    writeSshConfig({ dir, entries: [{ host: web, identityFiles: [goodKey.privateKeyPath], identitiesOnly: true }] });
    assert.equal((await pool.runner('web-1').exec('echo in')).stdout, 'in\n');
  } finally {
    pool.dispose();
  }
});

test(
  'a real host: command.started then command.ended with its exit code; connection.changed on connect, drop-free disconnect',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile } = writeSshConfig({ dir, entries: [{ host: web, identityFiles: [goodKey.privateKeyPath] }] });
    const bus = new EventBus();
    const events: IncidentEvent[] = [];
    bus.onAny((event) => events.push(event));
    const pool = poolFor(configFile, { events: bus });
    try {
      assert.equal((await pool.runner('web-1').exec('exit 3')).exitCode, 3);
      pool.disconnect('web-1');
      const seen = events.map((e) =>
        e.name === 'connection.changed' ? `${e.name} ${e.state}` : `${e.name} ${(e as { command: string }).command}`,
      );
      assert.deepEqual(seen, [
        'connection.changed connecting',
        'connection.changed connected',
        'command.started exit 3',
        'command.ended exit 3',
        'connection.changed disconnected',
      ]);
      const [started, ended] = events.filter((e) => e.name.startsWith('command.')) as IncidentEvent<'command.started' | 'command.ended'>[];
      assert.equal(started.id, ended.id);
      assert.equal((ended as IncidentEvent<'command.ended'>).exitCode, 3);
      assert.equal(ended.host, 'web-1');
    } finally {
      pool.dispose();
    }
  },
);

test(
  "GSSAPIAuthentication yes (Debian's system default) leaves a key login to ssh2: no OpenSSH needed, the pool logs in",
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile } = writeSshConfig({
      dir,
      fileName: 'gssapi_config',
      entries: [{ host: web, identityFiles: [goodKey.privateKeyPath], extra: ['GSSAPIAuthentication yes'] }],
    });
    const host = loadSshConfig({ configFile }).resolve('web-1');
    assert.deepEqual(host.needsOpenSsh, []);
    assert.match(host.gssapiAuthentication ?? '', /^GSSAPIAuthentication yes \(.*gssapi_config:\d+\)$/);
    const pool = poolFor(configFile);
    try {
      assert.equal((await pool.runner('web-1').exec('echo ssh2')).stdout, 'ssh2\n');
    } finally {
      pool.dispose();
    }
  },
);

test(
  'when ssh2 cannot log in, the failure names GSSAPIAuthentication as what only the system ssh could try',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile } = writeSshConfig({
      dir,
      fileName: 'gssapi_denied',
      entries: [{ host: web, identityFiles: [otherKey.privateKeyPath], identitiesOnly: true, extra: ['GSSAPIAuthentication yes'] }],
    });
    const pool = poolFor(configFile);
    try {
      const error = await pool.connect('web-1').then(
        () => assert.fail('logged in'),
        (e: unknown) => e as SshError,
      );
      assert.equal(error.kind, 'auth');
      assert.match(
        error.message,
        /Notes: GSSAPIAuthentication yes \(.*gssapi_denied:\d+\) is set, which only the system ssh can use \(firefighter\.terminalTransport "openssh"\)\./,
      );
    } finally {
      pool.dispose();
    }
  },
);
