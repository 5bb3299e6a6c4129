// hosts.json and ssh_config written by a hostile or careless hand: names that are not host
// names, files that are not files, sizes and nesting no inventory needs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadInventory } from '../../../src/core/hosts/inventory';
import { tempDir } from '../../support/tempDir';

const ENV = { USER: 'alice' };

function workspace(
  t: Parameters<typeof tempDir>[0],
  hostsJson: string | Buffer,
  sshConfig = '',
): { sshConfigFile: string; hostsJsonFile: string; homeDir: string } {
  const dir = tempDir(t, 'ff-inventory-hostile-');
  fs.mkdirSync(path.join(dir, '.ssh'));
  const sshConfigFile = path.join(dir, '.ssh', 'config');
  const hostsJsonFile = path.join(dir, 'hosts.json');
  fs.writeFileSync(sshConfigFile, sshConfig);
  fs.writeFileSync(hostsJsonFile, hostsJson);
  return { sshConfigFile, hostsJsonFile, homeDir: dir };
}

describe('inventory: names that are not host names', () => {
  it('refuses a hosts.json name that reads as an ssh option, at its line, and keeps the others', (t) => {
    const files = workspace(
      t,
      [
        '{ "hosts": [',
        '  { "name": "-oProxyCommand=touch /tmp/x", "address": "10.0.0.1" },',
        '  { "name": "web-1", "address": "10.0.0.2" }',
        '] }',
      ].join('\n'),
    );
    const { hosts, errors } = loadInventory({ ...files, env: ENV });
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['web-1'],
    );
    assert.deepEqual(errors, [
      {
        file: files.hostsJsonFile,
        line: 2,
        message: '"name" "-oProxyCommand=touch /tmp/x" starts with "-", which ssh would read as an option; this entry is skipped',
      },
    ]);
  });

  it('refuses names with spaces, "@" or escape sequences, and addresses or users that read as options', (t) => {
    const entries = [
      { name: 'web 1', address: '10.0.0.1' },
      { name: 'root@web', address: '10.0.0.1' },
      { name: 'web\u001b]0;owned\u0007', address: '10.0.0.1' },
      { name: 'db-1', address: '-oProxyCommand=x' },
      { name: 'db-2', address: '10.0.0.3', user: '-oProxyCommand=x' },
      { name: 'db-3', address: '10.0.0.4', user: 'deploy' },
    ];
    const files = workspace(t, JSON.stringify({ hosts: entries }, null, 1));
    const { hosts, errors } = loadInventory({ ...files, env: ENV });
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['db-3'],
    );
    assert.equal(errors.length, 5);
    assert.match(errors[2].message, /is not a host name/);
    assert.match(errors[3].message, /"address" "-oProxyCommand=x" starts with "-"/);
  });

  it('refuses an ssh_config Host name that reads as an option, at its line', (t) => {
    const files = workspace(t, '{ "hosts": [] }', 'Host good\n  Port 22\nHost -oProxyCommand=x\n  Port 23\n');
    const { hosts, errors } = loadInventory({ ...files, env: ENV });
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['good'],
    );
    assert.deepEqual(
      errors.map((e) => [e.line, e.message]),
      [[3, 'Host "-oProxyCommand=x" starts with "-", which ssh would read as an option; it is not listed']],
    );
  });
});

describe('inventory: files that are not hosts files', () => {
  it('--hosts /dev/zero is refused at once as not a regular file, naming it', (t) => {
    const files = workspace(t, '');
    const { errors } = loadInventory({ ...files, hostsJsonFile: '/dev/zero', env: ENV });
    assert.deepEqual(errors, [
      { file: '/dev/zero', message: 'cannot read /dev/zero: not a regular file; no hosts were read from this file' },
    ]);
  });

  it('a FIFO is refused instead of blocking', (t) => {
    const files = workspace(t, '');
    const fifo = path.join(files.homeDir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const { errors } = loadInventory({ ...files, hostsJsonFile: fifo, env: ENV });
    assert.match(errors[0].message, /not a regular file/);
  });

  it('a hosts.json with a 20 MB string is refused by size, naming the file', (t) => {
    const files = workspace(t, `{ "hosts": [ { "name": "web-1", "address": "10.0.0.1", "group": "${'x'.repeat(20 * 1024 * 1024)}" } ] }`);
    const { hosts, errors } = loadInventory({ ...files, env: ENV });
    assert.deepEqual(hosts, []);
    assert.match(
      errors[0].message,
      new RegExp(`^cannot read ${files.hostsJsonFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: larger than 4\\.0 MiB \\(20\\.0 MiB\\)`),
    );
  });

  it('very deep nesting is reported at its line, naming the file, not as a stack overflow', (t) => {
    const files = workspace(t, `{ "hosts": [ { "name": "web-1", "tags": ${'['.repeat(100_000)}${']'.repeat(100_000)} } ] }`);
    const { errors } = loadInventory({ ...files, env: ENV });
    assert.deepEqual(errors, [
      { file: files.hostsJsonFile, line: 1, message: 'nested deeper than 64 levels; no hosts were read from this file' },
    ]);
  });
});
