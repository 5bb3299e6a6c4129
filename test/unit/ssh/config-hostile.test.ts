// ssh_config as a careless or hostile user may write it, and the system-wide config OpenSSH
// reads after the user's. Where it can, each case is checked against OpenSSH's own `ssh -G`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadSshConfig } from '../../../src/core/ssh/config';
import { tokenizeLine } from '../../../src/core/ssh/configParse';
import { tempDir } from '../../support/tempDir';

const ENV = { USER: 'alice' };

function write(dir: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

function sshGFails(configFile: string, alias: string): string {
  const run = spawnSync('ssh', ['-G', '-F', configFile, alias], { encoding: 'utf8' });
  assert.notEqual(run.status, 0, 'OpenSSH refuses this file too');
  return run.stderr;
}

describe('ssh_config: a keyword without its value', () => {
  for (const [label, bad] of [
    ['IdentityFile alone on a line', '  IdentityFile'],
    ['a lone "="', '  ='],
    ['IdentityFile =', '  IdentityFile ='],
  ] as const) {
    it(`${label} does not swallow the next Host line; its block is not used; later lines keep their numbers`, (t) => {
      const home = tempDir(t, 'ff-ssh-novalue-');
      const config = [
        'Host prod-db',
        '  HostName 10.0.0.7',
        bad,
        'Host staging',
        '  StrictHostKeyChecking no',
        '  Port 2222',
        'Host other',
        '  Port 99999',
        '',
      ].join('\n');
      write(home, { '.ssh/config': config });
      const configFile = path.join(home, '.ssh', 'config');
      const loaded = loadSshConfig({ configFile, homeDir: home, env: ENV });
      // prod-db's block is broken: it is not offered (its HostName would be missing), the others are.
      assert.deepEqual(
        loaded.hosts.map((host) => [host.name, host.line]),
        [
          ['staging', 4],
          ['other', 7],
        ],
      );
      assert.deepEqual(
        loaded.problems.map((problem) => problem.line),
        [3, 8],
      );
      assert.match(loaded.problems[0].message, /the block it is in is not used/);
      // The production host gets nothing from the broken block, and nothing of the next one.
      const prod = loaded.resolve('prod-db');
      assert.equal(prod.hostName, 'prod-db');
      assert.equal(prod.strictHostKeyChecking, 'ask');
      assert.equal(prod.port, 22);
      const staging = loaded.resolve('staging');
      assert.equal(staging.strictHostKeyChecking, 'no');
      assert.equal(staging.port, 2222);
      if (bad !== '  =') assert.match(sshGFails(configFile, 'prod-db'), /line 3/);
    });
  }

  it("a broken line in the file's first block (before any Host) drops that block only", (t) => {
    const home = tempDir(t, 'ff-ssh-novalue-top-');
    write(home, { '.ssh/config': 'User deploy\nIdentityFile\nHost web\n  Port 2200\n' });
    const loaded = loadSshConfig({ configFile: path.join(home, '.ssh', 'config'), homeDir: home, env: ENV });
    const web = loaded.resolve('web');
    assert.equal(web.user, 'alice');
    assert.equal(web.port, 2200);
  });

  it('tokenises like readconf.c: Keyword=value, quotes, escapes, trailing comments', () => {
    assert.deepEqual(tokenizeLine('  IdentityFile="/home/a b/id" # mine'), { keyword: 'IdentityFile', args: ['/home/a b/id'] });
    assert.deepEqual(tokenizeLine('Host a b\\ c'), { keyword: 'Host', args: ['a', 'b c'] });
    assert.deepEqual(tokenizeLine('   # a comment'), undefined);
    assert.deepEqual(tokenizeLine(''), undefined);
    assert.match((tokenizeLine('Host "a') as { error: string }).error, /unbalanced quotes/);
  });
});

describe('ssh_config: Include fan-out', () => {
  for (const copies of [2, 3]) {
    it(`a file that includes itself ${copies} times stops at once with one problem, like OpenSSH`, (t) => {
      const home = tempDir(t, 'ff-ssh-fanout-');
      const configFile = path.join(home, '.ssh', 'config');
      write(home, { '.ssh/config': `${`Include ${configFile}\n`.repeat(copies)}Host loop\n` });
      const loaded = loadSshConfig({ configFile, homeDir: home, env: ENV });
      assert.deepEqual(
        loaded.hosts.map((host) => host.name),
        ['loop'],
      );
      assert.equal(loaded.problems.length, 1);
      assert.match(loaded.problems[0].message, /too many (recursive configuration includes|configuration files included)/);
      assert.equal(loaded.problems[0].line !== undefined, true);
      assert.match(sshGFails(configFile, 'loop'), /Too many recursive configuration includes/);
    });
  }

  it('a wide Include (40 files, each including 40 more) is capped by the total number of files read', (t) => {
    const home = tempDir(t, 'ff-ssh-wide-');
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) {
      files[`.ssh/a/${String(i).padStart(2, '0')}.conf`] = `Host a${i}\nInclude b/*.conf\n`;
      files[`.ssh/b/${String(i).padStart(2, '0')}.conf`] = `Host b${i}\n`;
    }
    write(home, { ...files, '.ssh/config': 'Include a/*.conf\n' });
    const loaded = loadSshConfig({ configFile: path.join(home, '.ssh', 'config'), homeDir: home, env: ENV });
    assert.equal(loaded.problems.length, 1);
    assert.match(loaded.problems[0].message, /more than 1024 reads/);
    assert.ok(
      loaded.hosts.some((host) => host.name === 'b39'),
      'what was read before the cap is kept',
    );
  });
});

describe('ssh_config: files that are not config files', () => {
  it('/dev/zero is refused as not a regular file, naming it, without reading it', () => {
    const loaded = loadSshConfig({ configFile: '/dev/zero', env: ENV });
    assert.deepEqual(loaded.problems, [{ file: '/dev/zero', message: 'cannot read /dev/zero: not a regular file' }]);
  });

  it('a FIFO with no writer is refused at once instead of blocking', (t) => {
    const dir = tempDir(t, 'ff-ssh-fifo-');
    const fifo = path.join(dir, 'config');
    execFileSync('mkfifo', [fifo]);
    const loaded = loadSshConfig({ configFile: fifo, env: ENV });
    assert.deepEqual(
      loaded.problems.map((problem) => problem.message),
      [`cannot read ${fifo}: not a regular file`],
    );
  });

  it('a file over the size cap is refused naming its size', (t) => {
    const dir = tempDir(t, 'ff-ssh-big-');
    const big = path.join(dir, 'config');
    fs.writeFileSync(big, Buffer.alloc(5 * 1024 * 1024, '#'));
    const loaded = loadSshConfig({ configFile: big, env: ENV });
    assert.match(loaded.problems[0].message, /^cannot read .*config: larger than 4\.0 MiB \(5\.0 MiB\)/);
  });
});

describe('ssh_config: the system-wide file', () => {
  it("is read after the user's, first value wins, and its relative Include is anchored at its own directory", (t) => {
    const root = tempDir(t, 'ff-ssh-system-');
    write(root, {
      'home/.ssh/config': 'Host web\n  User deploy\n',
      'etc/ssh/ssh_config': 'Include ssh_config.d/*.conf\nHost *\n  User root\n  Port 2200\n',
      'etc/ssh/ssh_config.d/10-site.conf': 'Host web\n  Port 2022\n',
    });
    const loaded = loadSshConfig({
      configFile: path.join(root, 'home/.ssh/config'),
      homeDir: path.join(root, 'home'),
      env: ENV,
      systemConfigFile: path.join(root, 'etc/ssh/ssh_config'),
    });
    const web = loaded.resolve('web');
    assert.equal(web.user, 'deploy', "the user's file wins");
    assert.equal(web.port, 2022, 'the system Include comes first in the system file');
    assert.deepEqual(loaded.problems, []);
  });

  it("Debian's own /etc/ssh/ssh_config: GSSAPI does not force the OpenSSH transport; HashKnownHosts is honoured", (t) => {
    const systemConfig = '/etc/ssh/ssh_config';
    const text = fs.readFileSync(systemConfig, 'utf8');
    assert.match(text, /^\s*GSSAPIAuthentication yes/m, 'this test reads the Debian default');
    const home = tempDir(t, 'ff-ssh-debian-');
    write(home, { '.ssh/config': 'Host web\n  HostName 10.0.0.5\n' });
    const web = loadSshConfig({
      configFile: path.join(home, '.ssh', 'config'),
      homeDir: home,
      env: ENV,
      systemConfigFile: systemConfig,
    }).resolve('web');
    assert.deepEqual(web.needsOpenSsh, []);
    assert.match(web.gssapiAuthentication ?? '', /^GSSAPIAuthentication yes \(\/etc\/ssh\/ssh_config:\d+\)$/);
    assert.equal(web.hashKnownHosts, /^\s*HashKnownHosts yes/m.test(text));
  });

  it('is not read for a config named as with ssh -F', (t) => {
    const home = tempDir(t, 'ff-ssh-dash-f-');
    write(home, { 'elsewhere/config': 'Host web\n' });
    const web = loadSshConfig({ configFile: path.join(home, 'elsewhere/config'), env: ENV }).resolve('web');
    assert.equal(web.gssapiAuthentication, undefined);
  });
});

describe('ssh_config: ProxyJump hops', () => {
  it('a hop that reads as an option is refused at its line', (t) => {
    const home = tempDir(t, 'ff-ssh-jump-');
    write(home, { '.ssh/config': 'Host web\n  ProxyJump -oProxyCommand=x\nHost db\n  ProxyJump -l@bastion\n' });
    const loaded = loadSshConfig({ configFile: path.join(home, '.ssh', 'config'), homeDir: home, env: ENV });
    assert.deepEqual(
      loaded.problems.map((problem) => [problem.line, problem.message]),
      [
        [2, 'ProxyJump: "-oProxyCommand=x" is not [user@]host[:port]'],
        [4, 'ProxyJump: "-l@bastion" is not [user@]host[:port]'],
      ],
    );
    assert.deepEqual(loaded.resolve('web').proxyJump, []);
  });
});
