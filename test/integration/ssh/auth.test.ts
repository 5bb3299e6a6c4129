import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SshError } from '../../../src/core/ssh/errors';
import {
  generateKey,
  makeTempDir,
  startSshAgent,
  startSshHost,
  writeSshConfig,
  type KeyPair,
  type SshAgent,
  type SshHost,
} from '../../harness';
import { TEST_TIMEOUT_MS, poolFor, scriptedPrompts } from './support';

let dir: string;
let host: SshHost;
let goodKey: KeyPair;
let strangerKey: KeyPair;
let encryptedKey: KeyPair;
let agent: SshAgent;

before(async () => {
  dir = makeTempDir('auth-test');
  [goodKey, strangerKey, encryptedKey] = await Promise.all([
    generateKey({ dir, name: 'id_good' }),
    generateKey({ dir, name: 'id_stranger' }),
    generateKey({ dir, name: 'id_encrypted', passphrase: 'correct horse' }),
  ]);
  host = await startSshHost({ name: 'web-1', authorizedKeys: [goodKey.publicKey, encryptedKey.publicKey] });
  agent = await startSshAgent();
  await agent.add(goodKey.privateKeyPath);
});

after(async () => {
  await Promise.all([host.stop(), agent.stop()]);
});

test('logs in with an identity file and runs a command', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = writeSshConfig({ dir, fileName: 'key', entries: [{ host, identityFiles: [goodKey.privateKeyPath] }] });
  const pool = poolFor(configFile);
  try {
    const result = await pool.runner('web-1').exec('echo hello from $(id -un); exit 3');
    assert.deepEqual(result, { exitCode: 3, signal: null, stdout: 'hello from root\n', stderr: '' });
  } finally {
    pool.dispose();
  }
});

test('logs in with a key held by ssh-agent', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = writeSshConfig({ dir, fileName: 'agent', entries: [{ host, identityFiles: [strangerKey.privateKeyPath] }] });
  const pool = poolFor(configFile, { agentSocket: agent.socket });
  try {
    assert.equal((await pool.runner('web-1').exec('echo via agent')).stdout, 'via agent\n');
  } finally {
    pool.dispose();
  }
});

test('a wrong key is "Permission denied" listing every identity tried', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = writeSshConfig({
    dir,
    fileName: 'wrong',
    entries: [{ host, identityFiles: [strangerKey.privateKeyPath, `${dir}/id_missing`] }],
  });
  const pool = poolFor(configFile);
  try {
    const error = await pool
      .runner('web-1')
      .exec('true')
      .then(
        () => assert.fail('logged in'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof SshError);
    assert.equal(error.kind, 'auth');
    assert.match(error.message, /^web-1 \(127\.0\.0\.\d+:\d+\): Permission denied for root/);
    assert.ok(error.message.includes(strangerKey.privateKeyPath), error.message);
    assert.ok(error.message.includes(`cannot read ${dir}/id_missing`), error.message);
    assert.equal(pool.state('web-1').kind, 'error');
  } finally {
    pool.dispose();
  }
});

test(
  'an encrypted key asks for its passphrase once per session and offers it to rememberSecret',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile } = writeSshConfig({
      dir,
      fileName: 'encrypted',
      entries: [{ host, identityFiles: [encryptedKey.privateKeyPath] }],
    });
    const { prompts, asked } = scriptedPrompts({ passphrase: 'correct horse' });
    const remembered: string[] = [];
    const pool = poolFor(configFile, { prompts, rememberSecret: (file, secret) => void remembered.push(`${file}=${secret}`) });
    try {
      assert.equal((await pool.runner('web-1').exec('echo one')).stdout, 'one\n');
      pool.disconnect('web-1');
      assert.equal((await pool.runner('web-1').exec('echo two')).stdout, 'two\n');
      assert.deepEqual(asked, [{ kind: 'passphrase', host: 'web-1', detail: encryptedKey.privateKeyPath }]);
      assert.deepEqual(remembered, [`${encryptedKey.privateKeyPath}=correct horse`]);
    } finally {
      pool.dispose();
    }
  },
);

test(
  'offering to remember a passphrase does not hold up the login, however long the user takes',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile } = writeSshConfig({
      dir,
      fileName: 'slow-remember',
      entries: [{ host, identityFiles: [encryptedKey.privateKeyPath] }],
    });
    const { prompts } = scriptedPrompts({ passphrase: 'correct horse' });
    let offered = false;
    // The user never answers "Remember?": the promise never settles.
    const pool = poolFor(configFile, {
      prompts,
      connectTimeoutMs: 2000,
      rememberSecret: () => ((offered = true), new Promise<void>(() => undefined)),
    });
    try {
      assert.equal((await pool.runner('web-1').exec('echo in')).stdout, 'in\n');
      assert.ok(offered);
    } finally {
      pool.dispose();
    }
  },
);

test('a passphrase kept in SecretStorage is used without asking', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = writeSshConfig({ dir, fileName: 'recalled', entries: [{ host, identityFiles: [encryptedKey.privateKeyPath] }] });
  const { prompts, asked } = scriptedPrompts({});
  const pool = poolFor(configFile, {
    prompts,
    recallSecret: async (file) => (file === encryptedKey.privateKeyPath ? 'correct horse' : undefined),
  });
  try {
    assert.equal((await pool.runner('web-1').exec('echo recalled')).stdout, 'recalled\n');
    assert.deepEqual(asked, []);
  } finally {
    pool.dispose();
  }
});

test('an encrypted key with no one to ask fails with a note saying so', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { configFile } = writeSshConfig({ dir, fileName: 'batch', entries: [{ host, identityFiles: [encryptedKey.privateKeyPath] }] });
  const pool = poolFor(configFile);
  try {
    await assert.rejects(
      pool.runner('web-1').exec('true'),
      (error: SshError) => error.kind === 'auth' && /encrypted and there is no one to ask/.test(error.message),
    );
  } finally {
    pool.dispose();
  }
});
