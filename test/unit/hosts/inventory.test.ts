import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadInventory } from '../../../src/core/hosts/inventory';
import { parseJsonc } from '../../../src/core/hosts/jsonc';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'hosts');
const HOME = path.join(FIXTURES, 'home');
const SSH_CONFIG = path.join(HOME, '.ssh', 'config');
const HOSTS_JSON = path.join(FIXTURES, 'workspace', '.vscode', 'hosts.json');
const ENV = { USER: 'alice' };

const temporaryDirs: string[] = [];
after(() => temporaryDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function writeHostsJson(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-inventory-'));
  temporaryDirs.push(dir);
  const file = path.join(dir, 'hosts.json');
  fs.writeFileSync(file, text);
  return file;
}

function load(hostsJsonFile?: string, sshConfigFile = SSH_CONFIG) {
  return loadInventory({ sshConfigFile, ...(hostsJsonFile ? { hostsJsonFile } : {}), homeDir: HOME, env: ENV });
}

describe('inventory: merging ssh config and hosts.json', () => {
  it('lists ssh config hosts, adds hosts.json details to the ones it names, and adds its own hosts after them', () => {
    const { hosts, errors } = load(HOSTS_JSON);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      hosts.map((host) => [host.name, host.origin, host.group ?? null, host.tags.join(','), host.production]),
      [
        ['bastion', 'ssh_config', null, '', false],
        ['web-1', 'both', 'checkout', 'production', true],
        ['web-2', 'both', 'checkout', 'staging', false],
        ['db-1', 'hosts.json', 'data', 'production', true],
      ],
    );
    const web1 = hosts[1];
    assert.deepEqual(web1.logs, ['/var/log/checkout/*.log']);
    assert.equal(web1.revisionCommand, 'cat /srv/checkout/current/REVISION');
    assert.deepEqual(
      [web1.deployCommand, web1.verifyCommand, web1.restartCommand],
      ['/srv/checkout/bin/deploy "$FIREFIGHTER_REVISION"', 'curl -fsS http://127.0.0.1:8080/health', 'sudo systemctl restart checkout'],
    );
    assert.equal(hosts[2].deployCommand, undefined);
    assert.equal(web1.ssh.hostName, '10.0.1.11', 'the connection still comes from the ssh config');
    assert.equal(web1.ssh.user, 'deploy');
    assert.deepEqual(web1.ssh.source, { file: SSH_CONFIG, line: 5 });
  });

  it('connects a hosts.json host by its own address, user, port, identity and jump host, the ssh config filling the rest', () => {
    const db = load(HOSTS_JSON).hosts.find((host) => host.name === 'db-1');
    assert.ok(db);
    assert.equal(db.revision, 'v4.2.0');
    assert.equal(db.ssh.alias, 'db-1');
    assert.equal(db.ssh.hostName, '10.0.0.7');
    assert.equal(db.ssh.user, 'postgres');
    assert.equal(db.ssh.port, 2222);
    assert.deepEqual(db.ssh.identityFiles, [path.join(HOME, '.ssh', 'id_db')]);
    assert.deepEqual(
      db.ssh.proxyJump.map((hop) => `${hop.user}@${hop.hostName}:${hop.port}`),
      ['jump@bastion.example.com:22'],
      'the jump host is resolved from the ssh config',
    );
  });

  it('loads the ssh config hosts alone when there is no hosts.json', () => {
    const { hosts, errors } = load(path.join(FIXTURES, 'workspace', 'missing.json'));
    assert.deepEqual(errors, []);
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['bastion', 'web-1', 'web-2'],
    );
    assert.ok(hosts.every((host) => host.origin === 'ssh_config' && host.tags.length === 0 && !host.production));
  });
});

describe('inventory: bad input', () => {
  it('reports a bad entry with its line and skips it; the other entries load', () => {
    const file = writeHostsJson(
      [
        '{ "hosts": [', //                                              1
        '  { "name": "web-1", "tags": ["production"] },', //           2
        '  { "name": "ghost" },', //                                    3 neither address nor Host
        '  { "name": "db-2", "address": "10.0.0.8",', //                4
        '    "port": "22" },', //                                       5 a string, not a number
        '  { "tags": ["x"] },', //                                      6 no name
        '  "web-2",', //                                                7 not an object
        '  { "name": "web-1", "group": "dup" },', //                   8 listed twice
        '  { "name": "db-3", "address": "10.0.0.9", "adress": "x" },', // 9 typo: reported, entry still loads
        '  { "name": "db-4", "address": "10.0.0.10", "proxyJump": "a@:1" }', // 10 bad jump spec
        '] }',
      ].join('\n'),
    );
    const { hosts, errors } = load(file);
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['bastion', 'web-1', 'web-2', 'db-3'],
    );
    assert.equal(hosts[1].production, true);
    assert.equal(hosts[1].group, undefined, 'the duplicate entry is not merged in');
    assert.deepEqual(
      errors.map((error) => [error.file, error.line, error.message]),
      [
        [file, 3, `"ghost" has no "address" and ${SSH_CONFIG} has no Host ghost; add an address or the Host block`],
        [file, 5, '"db-2": "port" must be a port number (1-65535); this entry is skipped'],
        [file, 6, 'host entry has no "name"; it is skipped'],
        [file, 7, 'a host entry must be an object with a "name"'],
        [file, 8, '"web-1" is listed twice; this entry is ignored'],
        [
          file,
          9,
          '"db-3": unknown field "adress" is ignored (known: name, address, user, port, identityFile, proxyJump, tags, group, logs, revisionCommand, revision, deployDir, deployCommand, verifyCommand, restartCommand)',
        ],
        [file, 10, 'db-4: ProxyJump "a@:1" is not [user@]host[:port]'],
      ],
    );
  });

  it('reports a syntax error with its line and still lists the ssh config hosts', () => {
    const file = writeHostsJson('{\n  "hosts": [\n    { "name": "web-1" }\n    { "name": "web-2" }\n  ]\n}\n');
    const { hosts, errors } = load(file);
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['bastion', 'web-1', 'web-2'],
    );
    assert.deepEqual(errors, [{ file, line: 4, message: 'expected "," or "]" in a list, found "{"; no hosts were read from this file' }]);
  });

  it('reports a file without a hosts list', () => {
    const file = writeHostsJson('// nothing yet\n[]\n');
    assert.deepEqual(load(file).errors, [{ file, line: 2, message: 'expected { "hosts": [ … ] }' }]);
  });

  it('passes on malformed ssh config lines with their file and line, next to hosts.json problems', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-inventory-'));
    temporaryDirs.push(dir);
    const sshConfig = path.join(dir, 'config');
    fs.writeFileSync(sshConfig, 'Host ok\n  Port nope\nHost "bad\n');
    const { hosts, errors } = load(undefined, sshConfig);
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['ok'],
    );
    assert.deepEqual(errors, [
      { file: sshConfig, line: 2, message: 'Port: "nope" is not a port number (1-65535)' },
      { file: sshConfig, line: 3, message: 'Host "bad: unbalanced quotes' },
    ]);
  });

  it('reports a ProxyJump loop at the config line and leaves the other hosts usable', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-inventory-'));
    temporaryDirs.push(dir);
    const sshConfig = path.join(dir, 'config');
    fs.writeFileSync(sshConfig, 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\nHost c\n');
    const { hosts, errors } = load(undefined, sshConfig);
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['c'],
    );
    assert.deepEqual(
      errors.map((error) => [error.line, error.message]),
      [
        [2, 'a: ProxyJump loop: alice@a:22 → alice@b:22 → alice@a:22'],
        [4, 'b: ProxyJump loop: alice@b:22 → alice@a:22 → alice@b:22'],
      ],
    );
  });
});

describe('JSONC reader', () => {
  it('accepts comments and trailing commas and keeps the line of each value', () => {
    const node = parseJsonc('// head\n{\n  /* c */ "a": [1, "x\\n",],\n  "b": { "c": null, },\n}');
    assert.equal(node.kind, 'object');
    assert.ok(node.kind === 'object');
    assert.deepEqual(
      node.members.map((member) => [member.key, member.line, member.value.line]),
      [
        ['a', 3, 3],
        ['b', 4, 4],
      ],
    );
    const list = node.members[0].value;
    assert.ok(list.kind === 'array');
    assert.deepEqual(
      list.items.map((item) => ('value' in item ? item.value : null)),
      [1, 'x\n'],
    );
  });

  it('names the line of an unterminated string or comment', () => {
    assert.throws(() => parseJsonc('{\n  "a": "open\n}'), { line: 2, message: 'unterminated string' });
    assert.throws(() => parseJsonc('{\n\n /* open'), { line: 3, message: 'unterminated /* comment' });
  });
});
