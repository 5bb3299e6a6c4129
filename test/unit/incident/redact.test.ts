import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REDACTED, redactText, redactValue } from '../../../src/core/incident/redact';
import { tempDir } from '../../support/tempDir';

interface Corpus {
  secrets: { text: string; secret: string; expected?: string }[];
  clean: string[];
}

const corpus = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/incident/redaction-corpus.json'), 'utf8')) as Corpus;

describe('redaction', () => {
  for (const { text, secret, expected } of corpus.secrets) {
    it(`hides the secret in ${JSON.stringify(text.slice(0, 60))}`, () => {
      const out = redactText(text);
      assert.ok(!out.includes(secret), `still has ${secret}: ${out}`);
      assert.ok(out.includes(REDACTED));
      if (expected !== undefined) assert.equal(out, expected);
      assert.equal(redactText(out), out, 'redacting twice changes nothing more');
    });
  }

  for (const text of corpus.clean) {
    it(`leaves ${JSON.stringify(text.slice(0, 60))} alone`, () => assert.equal(redactText(text), text));
  }

  it('leaves every real stack trace of the traces fixtures alone, the corpus from public issue trackers included', () => {
    const dir = path.join(__dirname, '../../fixtures/traces');
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('.json'));
    assert.ok(files.length > 40, `the traces fixtures and corpus (${files.length} files)`);
    for (const entry of files) {
      const file = path.join(entry.parentPath, entry.name);
      assert.equal(redactText(readFileSync(file, 'utf8')), readFileSync(file, 'utf8'), file);
    }
  });

  it('leaves the repository’s real ssh configs, hosts file and /proc capture alone', () => {
    const fixtures = path.join(__dirname, '../../fixtures');
    const files = ['ssh', 'hosts', 'proc'].flatMap((dir) =>
      readdirSync(path.join(fixtures, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name)),
    );
    assert.ok(files.length >= 8, files.join());
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assert.equal(redactText(text), text, file);
    }
  });

  it('hides real keys made by ssh-keygen and node:crypto, and a real signed JWT', (t) => {
    const dir = tempDir(t, 'ff-redact-');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy@web-1', '-f', path.join(dir, 'id')]);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = [
      readFileSync(path.join(dir, 'id'), 'utf8'),
      rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
      rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString(),
    ];
    for (const key of keys) {
      const body = key.split('\n')[1];
      const out = redactText(`loaded key:\n${key}done`);
      assert.ok(!out.includes(body), out);
      assert.match(out, /^loaded key:\n-----BEGIN [A-Z ]*PRIVATE KEY----- \[REDACTED\] -----END [A-Z ]*PRIVATE KEY-----\ndone$/);
    }
    // A public key is no secret.
    const publicKey = readFileSync(path.join(dir, 'id.pub'), 'utf8');
    assert.equal(redactText(publicKey), publicKey);
    const part = (json: object) => Buffer.from(JSON.stringify(json)).toString('base64url');
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: 'bob', exp: 1764660000 })}`;
    const jwt = `${unsigned}.${createHmac('sha256', 'k').update(unsigned).digest('base64url')}`;
    assert.equal(redactText(`GET /api 401 token ${jwt} expired`), `GET /api 401 token ${REDACTED} expired`);
  });

  it('redacts every string of a JSON value, and whole values under secret keys', () => {
    const value = {
      command: 'mysql --password hunter2',
      env: { DB_PASSWORD: 'plain', apiKey: 'k-123', count: 3, path: '/x' },
      list: ['token=abc123'],
    };
    assert.deepEqual(redactValue(value), {
      command: `mysql --password ${REDACTED}`,
      env: { DB_PASSWORD: REDACTED, apiKey: REDACTED, count: 3, path: '/x' },
      list: [`token=${REDACTED}`],
    });
  });
});
