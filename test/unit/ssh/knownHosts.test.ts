import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appendKnownHost, checkHostKey, decideHostKey, type HostKey, sha256Fingerprint } from '../../../src/core/ssh/knownHosts';

interface TestKey {
  type: string;
  blob: Buffer;
  pubFile: string;
  /** `type base64` as it appears in a known_hosts line. */
  text: string;
}

let dir: string;
let serverKey: TestKey;
let otherKey: TestKey;
let rsaKey: TestKey;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-known-hosts-'));
  serverKey = generateKey('ed25519', 'server');
  otherKey = generateKey('ed25519', 'impostor');
  rsaKey = generateKey('rsa', 'server_rsa');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function generateKey(type: 'ed25519' | 'rsa', name: string): TestKey {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', '', '-f', file]);
  const [keyType, base64] = fs.readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return { type: keyType, blob: Buffer.from(base64, 'base64'), pubFile: `${file}.pub`, text: `${keyType} ${base64}` };
}

let fileCounter = 0;
function knownHosts(lines: string[]): string {
  const file = path.join(dir, `known_hosts_${++fileCounter}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function offered(key: TestKey, hostName = 'web-1.example.com', port = 22): HostKey {
  return { hostName, port, keyType: key.type, key: key.blob };
}

describe('known_hosts: fingerprints', () => {
  it('prints SHA256 fingerprints exactly as ssh-keygen -lf does', () => {
    for (const key of [serverKey, rsaKey]) {
      const printed = execFileSync('ssh-keygen', ['-lf', key.pubFile], { encoding: 'utf8' }).split(/\s+/)[1];
      assert.equal(sha256Fingerprint(key.blob), printed);
    }
  });
});

describe('known_hosts: checking a host key', () => {
  it('knows a host listed with its key, and names the file and line', () => {
    const file = knownHosts(['# comment', '', `web-1.example.com ${serverKey.text}`]);
    assert.deepEqual(checkHostKey(offered(serverKey), [file]), { status: 'known', file, line: 3, notes: [] });
  });

  it('says changed, with the file and line, when the host offers a different key of the same type', () => {
    const file = knownHosts([`db.example.com ${otherKey.text}`, `web-1.example.com ${otherKey.text}`]);
    assert.deepEqual(checkHostKey(offered(serverKey), [file]), { status: 'changed', file, line: 2, notes: [] });
  });

  it('says unknown when only keys of another type are listed (ssh asks rather than refuses)', () => {
    const file = knownHosts([`web-1.example.com ${rsaKey.text}`]);
    assert.equal(checkHostKey(offered(serverKey), [file]).status, 'unknown');
  });

  it('matches hashed entries written by ssh-keygen -H, for port 22 and [host]:port', () => {
    const file = knownHosts([`web-1.example.com ${serverKey.text}`, `[web-1.example.com]:2222 ${rsaKey.text}`]);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    assert.match(fs.readFileSync(file, 'utf8'), /^\|1\|/, 'the file is hashed');
    assert.equal(checkHostKey(offered(serverKey), [file]).status, 'known');
    assert.equal(checkHostKey(offered(serverKey, 'WEB-1.example.com'), [file]).status, 'known', 'host names are case-insensitive');
    assert.equal(checkHostKey(offered(rsaKey, 'web-1.example.com', 2222), [file]).status, 'known');
    assert.equal(checkHostKey(offered(otherKey), [file]).status, 'changed');
    assert.equal(checkHostKey(offered(serverKey, 'web-2.example.com'), [file]).status, 'unknown');
  });

  it('keeps ports apart: [host]:2222 is not the host on 22, and the reverse', () => {
    const file = knownHosts([`[web-1.example.com]:2222 ${serverKey.text}`]);
    assert.equal(checkHostKey(offered(serverKey, 'web-1.example.com', 2222), [file]).status, 'known');
    assert.equal(checkHostKey(offered(serverKey, 'web-1.example.com', 22), [file]).status, 'unknown');
    assert.equal(checkHostKey(offered(otherKey, 'web-1.example.com', 2200), [file]).status, 'unknown');
  });

  it('matches comma lists, wildcards and negations', () => {
    const file = knownHosts([`10.0.0.5,web-1.example.com ${serverKey.text}`, `*.prod.example.com,!bad.prod.example.com ${serverKey.text}`]);
    assert.equal(checkHostKey(offered(serverKey, '10.0.0.5'), [file]).status, 'known');
    assert.equal(checkHostKey(offered(serverKey, 'api.prod.example.com'), [file]).status, 'known');
    assert.equal(checkHostKey(offered(serverKey, 'bad.prod.example.com'), [file]).status, 'unknown');
  });

  it('refuses a @revoked key even when the host also lists it as known', () => {
    const file = knownHosts([`web-1.example.com ${serverKey.text}`, `@revoked * ${serverKey.text}`]);
    assert.deepEqual(checkHostKey(offered(serverKey), [file]), { status: 'revoked', file, line: 2, notes: [] });
    assert.equal(checkHostKey(offered(otherKey, 'other.example.com'), [file]).status, 'unknown', 'other keys are unaffected');
  });

  it('skips @cert-authority lines and says so', () => {
    const file = knownHosts([`@cert-authority *.example.com ${serverKey.text}`]);
    const check = checkHostKey(offered(serverKey), [file]);
    assert.equal(check.status, 'unknown');
    assert.deepEqual(check.notes, [`${file}:1: @cert-authority entry skipped; host certificates are not checked`]);
  });

  it('looks through every file: a key known in the global file is known, missing files are skipped', () => {
    const user = knownHosts([`web-1.example.com ${otherKey.text}`]);
    const global = knownHosts([`web-1.example.com ${serverKey.text}`]);
    assert.deepEqual(checkHostKey(offered(serverKey), [path.join(dir, 'missing'), user, global]), {
      status: 'known',
      file: global,
      line: 1,
      notes: [],
    });
  });

  it('uses the type inside the key blob when the offer names an RSA signature algorithm', () => {
    const file = knownHosts([`web-1.example.com ${rsaKey.text}`]);
    assert.equal(checkHostKey({ ...offered(rsaKey), keyType: 'rsa-sha2-512' }, [file]).status, 'known');
  });
});

describe('known_hosts: appending', () => {
  it('creates ~/.ssh (0700) and known_hosts (0600), and the appended key is then known, also to OpenSSH', () => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    const file = path.join(home, '.ssh', 'known_hosts');
    appendKnownHost(file, 'Web-1.example.com', 22, serverKey.type, serverKey.blob);
    appendKnownHost(file, 'web-1.example.com', 2222, rsaKey.type, rsaKey.blob);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(file, 'utf8'), `web-1.example.com ${serverKey.text}\n[web-1.example.com]:2222 ${rsaKey.text}\n`);
    assert.equal(checkHostKey(offered(serverKey), [file]).status, 'known');
    assert.equal(checkHostKey(offered(rsaKey, 'web-1.example.com', 2222), [file]).status, 'known');
    const found = execFileSync('ssh-keygen', ['-F', '[web-1.example.com]:2222', '-f', file], { encoding: 'utf8' });
    assert.match(found, /Host \[web-1\.example\.com\]:2222 found: line 2/);
  });

  it('starts a new line when the file does not end with one', () => {
    const file = path.join(dir, 'no_newline');
    fs.writeFileSync(file, `db.example.com ${otherKey.text}`);
    appendKnownHost(file, 'web-1.example.com', 22, serverKey.type, serverKey.blob);
    assert.deepEqual(fs.readFileSync(file, 'utf8').split('\n'), [
      `db.example.com ${otherKey.text}`,
      `web-1.example.com ${serverKey.text}`,
      '',
    ]);
  });
});

describe('known_hosts: what to do with the key', () => {
  const appendTo = '/home/alice/.ssh/known_hosts';
  const decide = (status: 'known' | 'unknown' | 'changed' | 'revoked', strict: 'yes' | 'no' | 'ask' | 'accept-new', canPrompt: boolean) =>
    decideHostKey({
      host: 'web-1',
      hostKey: offered(serverKey),
      check: { status, ...(status === 'changed' || status === 'revoked' ? { file: appendTo, line: 7 } : {}), notes: [] },
      strictHostKeyChecking: strict,
      canPrompt,
      appendTo,
    });

  it('accepts a known key without writing anything', () => {
    assert.deepEqual(decide('known', 'yes', false), { action: 'accept', record: false });
  });

  it('always refuses a changed key, naming the known_hosts file and line and the new fingerprint', () => {
    for (const strict of ['yes', 'no', 'ask', 'accept-new'] as const) {
      const decision = decide('changed', strict, true);
      assert.equal(decision.action, 'refuse-changed', strict);
      assert.ok('message' in decision);
      assert.match(decision.message, /REMOTE HOST IDENTIFICATION HAS CHANGED for web-1 \(web-1\.example\.com\)/);
      assert.ok(decision.message.includes(`${appendTo}:7`));
      assert.ok(decision.message.includes(sha256Fingerprint(serverKey.blob)));
    }
  });

  it('refuses a revoked key whatever the setting', () => {
    assert.equal(decide('revoked', 'no', true).action, 'refuse-revoked');
  });

  it('handles an unknown key per StrictHostKeyChecking and whether someone can be asked', () => {
    assert.deepEqual(decide('unknown', 'accept-new', false), { action: 'accept', record: true });
    assert.deepEqual(decide('unknown', 'no', false), { action: 'accept', record: true });
    const ask = decide('unknown', 'ask', true);
    assert.equal(ask.action, 'ask');
    assert.ok('message' in ask && ask.message.includes(sha256Fingerprint(serverKey.blob)) && ask.message.includes(appendTo));
    const cli = decide('unknown', 'ask', false);
    assert.equal(cli.action, 'refuse-unknown');
    assert.ok('message' in cli && cli.message.includes('StrictHostKeyChecking accept-new'));
    assert.equal(decide('unknown', 'yes', true).action, 'refuse-unknown');
  });
});
