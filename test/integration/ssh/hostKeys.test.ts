import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { SshError } from '../../../src/core/ssh/errors';
import {
  generateKey,
  makeTempDir,
  startBastion,
  startSshHost,
  writeSshConfig,
  type KeyPair,
  type SshConfigEntry,
  type SshHost,
} from '../../harness';
import { TEST_TIMEOUT_MS, poolFor, scriptedPrompts } from './support';

let dir: string;
let userKey: KeyPair;
let web: SshHost;
let bastion: SshHost;
/** A key the hosts do not have, standing in for the key known_hosts remembered before a reinstall. */
let staleKeyPub: string;

before(async () => {
  dir = makeTempDir('hostkey-test');
  userKey = await generateKey({ dir, name: 'id_user' });
  [web, bastion] = await Promise.all([
    startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] }),
    startBastion({ name: 'bastion', authorizedKeys: [userKey.publicKey] }),
  ]);
  staleKeyPub = (await generateKey({ dir, name: 'stale_host_key' })).publicKey.split(' ').slice(0, 2).join(' ');
});

after(async () => {
  await Promise.all([web.stop(), bastion.stop()]);
});

let configCount = 0;
function config(entries: SshConfigEntry[], extraKnownHosts: string[] = []) {
  return writeSshConfig({ dir, fileName: `config-${++configCount}`, entries, extraKnownHosts });
}
const direct = (overrides: Partial<SshConfigEntry> = {}): SshConfigEntry => ({
  host: web,
  identityFiles: [userKey.privateKeyPath],
  ...overrides,
});
const stale = (host: SshHost) => `[${host.address}]:${host.port} ${staleKeyPub}`;

async function connectError(configFile: string, name: string, options: Parameters<typeof poolFor>[1] = {}): Promise<SshError> {
  const pool = poolFor(configFile, options);
  try {
    const error = await pool.connect(name).then(
      () => assert.fail(`connected to ${name}`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SshError, String(error));
    assert.equal(pool.state(name).kind, 'error');
    return error;
  } finally {
    pool.dispose();
  }
}

test('a changed host key is refused, naming the known_hosts file and line', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile, knownHostsFile } = config([direct({ unknownHostKey: true })], ['# earlier entries', stale(web)]);
  const error = await connectError(configFile, 'web-1', { prompts: scriptedPrompts({ acceptHostKey: true }).prompts });
  assert.equal(error.kind, 'hostKeyChanged');
  assert.equal(error.host, 'web-1');
  assert.match(error.message, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
  assert.ok(error.message.includes(`${knownHostsFile}:2`), error.message);
  assert.ok(error.message.includes(web.hostKeyFingerprint), error.message);
});

test('a changed host key on the jump host is refused before the target is reached', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile, knownHostsFile } = config(
    [{ host: bastion, identityFiles: [userKey.privateKeyPath], unknownHostKey: true }, direct({ proxyJump: 'bastion' })],
    [stale(bastion)],
  );
  const error = await connectError(configFile, 'web-1');
  assert.equal(error.kind, 'hostKeyChanged');
  assert.equal(error.host, 'bastion');
  assert.ok(error.message.includes(`${knownHostsFile}:1`), error.message);
});

test('a revoked host key is refused', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = config([direct()], [`@revoked [${web.address}]:${web.port} ${web.hostKeyPub}`]);
  assert.equal((await connectError(configFile, 'web-1')).kind, 'hostKeyRevoked');
});

test(
  'an unknown host key is shown with its SHA256 fingerprint; accepting appends it to known_hosts',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile, knownHostsFile } = config([direct({ unknownHostKey: true, strictHostKeyChecking: 'ask' })]);
    const { prompts, asked } = scriptedPrompts({ acceptHostKey: true });
    const pool = poolFor(configFile, { prompts });
    try {
      assert.equal((await pool.runner('web-1').exec('echo trusted')).stdout, 'trusted\n');
      assert.deepEqual(asked, [{ kind: 'confirmUnknownHostKey', host: 'web-1', detail: `ssh-ed25519 ${web.hostKeyFingerprint}` }]);
      assert.equal(readFileSync(knownHostsFile, 'utf8'), `${web.knownHostsLine()}\n`);
    } finally {
      pool.dispose();
    }
    // Known now: a new session does not ask again.
    const again = scriptedPrompts({ acceptHostKey: false });
    const second = poolFor(configFile, { prompts: again.prompts });
    try {
      await second.connect('web-1');
      assert.deepEqual(again.asked, []);
    } finally {
      second.dispose();
    }
  },
);

test('an unknown host key the user declines is refused and not recorded', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile, knownHostsFile } = config([direct({ unknownHostKey: true, strictHostKeyChecking: 'ask' })]);
  const error = await connectError(configFile, 'web-1', { prompts: scriptedPrompts({ acceptHostKey: false }).prompts });
  assert.equal(error.kind, 'hostKeyUnknown');
  assert.equal(readFileSync(knownHostsFile, 'utf8'), '');
});

test('without prompts (the CLI) an unknown host key is refused under yes and ask', { timeout: TEST_TIMEOUT_MS }, async () => {
  for (const strictHostKeyChecking of ['yes', 'ask'] as const) {
    const { configFile, knownHostsFile } = config([direct({ unknownHostKey: true, strictHostKeyChecking })]);
    const error = await connectError(configFile, 'web-1');
    assert.equal(error.kind, 'hostKeyUnknown', strictHostKeyChecking);
    assert.ok(error.message.includes(web.hostKeyFingerprint), error.message);
    assert.equal(readFileSync(knownHostsFile, 'utf8'), '');
  }
});

test(
  'StrictHostKeyChecking yes refuses an unknown key without asking, even when someone could be asked',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile } = config([direct({ unknownHostKey: true, strictHostKeyChecking: 'yes' })]);
    const { prompts, asked } = scriptedPrompts({ acceptHostKey: true });
    assert.equal((await connectError(configFile, 'web-1', { prompts })).kind, 'hostKeyUnknown');
    assert.deepEqual(asked, []);
  },
);

test('accept-new records an unknown key without asking, also for a non-interactive caller', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile, knownHostsFile } = config([direct({ unknownHostKey: true, strictHostKeyChecking: 'accept-new' })]);
  const pool = poolFor(configFile);
  try {
    await pool.connect('web-1');
    assert.equal(readFileSync(knownHostsFile, 'utf8'), `${web.knownHostsLine()}\n`);
  } finally {
    pool.dispose();
  }
});

test(
  "HashKnownHosts yes: an accepted key is written hashed, and OpenSSH's ssh-keygen -F and ssh itself find it",
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile, knownHostsFile } = config([
      direct({ unknownHostKey: true, strictHostKeyChecking: 'accept-new', extra: ['HashKnownHosts yes'] }),
    ]);
    const pool = poolFor(configFile);
    try {
      await pool.connect('web-1');
    } finally {
      pool.dispose();
    }
    const written = readFileSync(knownHostsFile, 'utf8');
    assert.match(written, /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 \S+\n$/);
    assert.ok(!written.includes(web.address), 'the address is not in the file in plain text');
    const found = execFileSync('ssh-keygen', ['-F', `[${web.address}]:${web.port}`, '-f', knownHostsFile], { encoding: 'utf8' });
    assert.match(found, /Host \[127\.0\.0\.\d+\]:\d+ found: line 1/);
    // OpenSSH itself accepts the host with StrictHostKeyChecking yes against that file.
    const ssh = spawnSync('ssh', ['-F', configFile, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', 'web-1', 'echo', 'known'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(ssh.stdout, 'known\n', ssh.stderr);
  },
);

test("an unknown key on the jump host is asked about under the jump host's name", { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = config([
    { host: bastion, identityFiles: [userKey.privateKeyPath], unknownHostKey: true, strictHostKeyChecking: 'ask' },
    direct({ proxyJump: 'bastion' }),
  ]);
  const { prompts, asked } = scriptedPrompts({ acceptHostKey: true });
  const pool = poolFor(configFile, { prompts });
  try {
    assert.equal((await pool.runner('web-1').exec('echo through')).stdout, 'through\n');
    assert.deepEqual(asked, [{ kind: 'confirmUnknownHostKey', host: 'bastion', detail: `ssh-ed25519 ${bastion.hostKeyFingerprint}` }]);
  } finally {
    pool.dispose();
  }
});
