import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { listConfigHosts, loadSshConfig, resolveHost, SshConfigError, shellQuote, sshCommandLine } from '../../../src/core/ssh/config';

const FIXTURE_HOME = path.join(__dirname, '..', '..', 'fixtures', 'ssh', 'home');
const ENV = { USER: 'alice' };
const temporaryDirs: string[] = [];
after(() => temporaryDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A fresh home directory holding `files` (paths relative to it), optionally seeded from the fixture home. */
function makeHome(files: Record<string, string>, fromFixture = false): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-ssh-config-'));
  temporaryDirs.push(home);
  if (fromFixture) fs.cpSync(FIXTURE_HOME, home, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(home, file)), { recursive: true });
    fs.writeFileSync(path.join(home, file), text);
  }
  return home;
}

function resolveIn(home: string, alias: string, configFile = path.join(home, '.ssh', 'config')) {
  return resolveHost(alias, { configFile, homeDir: home, env: ENV });
}

describe('ssh_config: listing hosts', () => {
  it('lists concrete Host names from the config and its Includes, with file and line, skipping wildcards and dot files', () => {
    const home = makeHome({}, true);
    const { hosts, errors } = listConfigHosts(path.join(home, '.ssh', 'config'), { homeDir: home, env: ENV });
    assert.deepEqual(errors, []);
    const ssh = path.join(home, '.ssh');
    assert.deepEqual(hosts, [
      // Include comes first in the file, and a glob expands in sorted order.
      { name: 'staging-app', file: path.join(ssh, 'config.d', '10-staging.conf'), line: 1 },
      { name: 'legacy', file: path.join(ssh, 'config.d', '20-legacy.conf'), line: 1 },
      { name: 'web-1', file: path.join(ssh, 'config'), line: 4 },
      { name: 'web-2', file: path.join(ssh, 'config'), line: 4 },
      { name: 'bastion', file: path.join(ssh, 'config'), line: 14 },
    ]);
  });

  it('reports a malformed line with its file and line and still loads the rest', () => {
    const home = makeHome({
      '.ssh/config': [
        'Host good-1', //                         1
        '  HostName 10.0.0.1', //                 2
        'Host "broken', //                        3
        '  Port 2200', //                         4 belongs to the broken block: must not leak
        'Host good-2', //                         5
        '  Port 99999', //                        6
        '  StrictHostKeyChecking maybe', //       7
        'Match hostish foo', //                   8
        '  User nobody', //                       9
        'Host good-3', //                         10
        '  Include missing-dir/*.conf', //        11 no match: fine, as in ssh
        '',
      ].join('\n'),
    });
    const configFile = path.join(home, '.ssh', 'config');
    const { hosts, errors } = listConfigHosts(configFile, { homeDir: home, env: ENV });
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['good-1', 'good-2', 'good-3'],
    );
    assert.deepEqual(
      errors.map(({ file, line, message }) => ({ file, line, message })),
      [
        { file: configFile, line: 3, message: 'Host "broken: unbalanced quotes' },
        { file: configFile, line: 6, message: 'Port: "99999" is not a port number (1-65535)' },
        { file: configFile, line: 7, message: 'StrictHostKeyChecking: "maybe" is not one of yes, no, ask, accept-new' },
        { file: configFile, line: 8, message: 'Match: unknown criterion "hostish"' },
      ],
    );
    assert.equal(resolveIn(home, 'good-1').port, 22, 'the broken block’s Port 2200 does not apply to good-1');
    assert.equal(resolveIn(home, 'good-2').port, 22, 'a bad Port is skipped, the default applies');
    assert.equal(resolveIn(home, 'good-2').user, 'alice', 'the bad Match block does not swallow later options');
  });

  it('agrees with OpenSSH on where the malformed lines are', () => {
    const home = makeHome({ '.ssh/config': 'Host a\n  Port 80\nHost "b\n  Port 0\n' });
    const configFile = path.join(home, '.ssh', 'config');
    const ours = listConfigHosts(configFile, { homeDir: home }).errors.map((error) => error.line);
    const openssh = sshG(configFile, 'a', { allowFailure: true });
    assert.deepEqual(ours, [3, 4]);
    assert.match(openssh, /config line 3: invalid quotes/);
    assert.match(openssh, /config line 4: Bad port/);
  });

  it('reads nothing and reports nothing when the config file does not exist', () => {
    const home = makeHome({});
    assert.deepEqual(listConfigHosts(path.join(home, '.ssh', 'config'), { homeDir: home }), { hosts: [], errors: [] });
  });

  it('reports an Include that includes itself instead of looping', () => {
    const home = makeHome({ '.ssh/config': 'Include config\nHost loop\n' });
    const { hosts, errors } = listConfigHosts(path.join(home, '.ssh', 'config'), { homeDir: home });
    assert.deepEqual(
      hosts.map((host) => host.name),
      ['loop'],
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /too many recursive configuration includes \(more than 16 deep/);
  });
});

describe('ssh_config: resolving a host', () => {
  it('resolves HostName with %h, Port and User, first obtained value winning', () => {
    const home = makeHome({}, true);
    const web = resolveIn(home, 'web-1');
    assert.equal(web.alias, 'web-1');
    assert.equal(web.hostName, 'web-1.prod.example.com');
    assert.equal(web.port, 2201, 'the host block comes before Host * and wins');
    assert.equal(web.user, 'deploy', 'Host * supplies what the host block left unset');
    assert.equal(web.strictHostKeyChecking, 'accept-new');
    assert.deepEqual(web.source, { file: path.join(home, '.ssh', 'config'), line: 4 });
  });

  it('applies an Include inside a Host block to that host only, relative to ~/.ssh', () => {
    const home = makeHome({}, true);
    const staging = resolveIn(home, 'staging-app');
    assert.equal(staging.port, 2222);
    assert.equal(staging.user, 'stager');
    assert.equal(resolveIn(home, 'legacy').user, 'deploy');
    assert.equal(resolveIn(home, 'legacy').port, 22022);
  });

  it('matches patterns like OpenSSH: ? is exactly one character, ! excludes, names are case-insensitive', () => {
    const home = makeHome({}, true);
    assert.equal(resolveIn(home, 'db-1').hostName, 'db-1.db.internal');
    assert.equal(resolveIn(home, 'DB-2').hostName, 'DB-2.db.internal');
    assert.equal(resolveIn(home, 'db-10').hostName, 'db-10', '? does not match two characters');
    assert.equal(resolveIn(home, 'db-9').hostName, 'db-9', '!db-9 excludes it from the block');
    assert.deepEqual(resolveIn(home, 'db-9').proxyJump, []);
  });

  it('agrees with `ssh -G` on HostName, Port, User, known_hosts files and StrictHostKeyChecking', () => {
    const home = makeHome({});
    const configFile = path.join(home, 'config');
    fs.writeFileSync(
      configFile,
      [
        'Host web-? !web-9',
        '  HostName %h.internal',
        '  Port 2201',
        'Host bastion',
        '  HostName 10.0.0.1',
        '  User jump',
        'Host db',
        '  ProxyJump bastion',
        '  StrictHostKeyChecking no',
        'Match originalhost db* user deploy',
        '  Port 2222',
        'Host *',
        '  User deploy',
        '  UserKnownHostsFile /kh/one /kh/two_%h_%p',
        '  GlobalKnownHostsFile /kh/global',
        '',
      ].join('\n'),
    );
    for (const alias of ['web-1', 'web-9', 'bastion', 'db', 'other']) {
      const ours = resolveHost(alias, { configFile, homeDir: home, env: ENV });
      const openssh = parseSshG(sshG(configFile, alias));
      assert.equal(ours.hostName, openssh.hostname, `${alias}: hostname`);
      assert.equal(String(ours.port), openssh.port, `${alias}: port`);
      assert.equal(ours.user, openssh.user, `${alias}: user`);
      assert.deepEqual(
        ours.knownHostsFiles,
        [...openssh.userknownhostsfile.split(' '), ...openssh.globalknownhostsfile.split(' ')],
        `${alias}: known_hosts`,
      );
      assert.equal(
        ours.strictHostKeyChecking === 'no' ? 'false' : ours.strictHostKeyChecking,
        openssh.stricthostkeychecking,
        `${alias}: strict`,
      );
    }
  });

  it('expands ~ and the %d %u %r %h %p %% tokens in IdentityFile, keeping every file in order', () => {
    const home = makeHome({
      '.ssh/config': [
        'Host app',
        '  HostName app.example.com',
        '  User svc',
        '  Port 2022',
        '  IdentityFile ~/.ssh/id_%r@%h:%p',
        '  IdentityFile %d/keys/%u_100%%',
        '  IdentityFile relative_key',
        '  IdentityFile /abs/${TEAM}.key',
        '  IdentitiesOnly yes',
        '',
      ].join('\n'),
    });
    const app = resolveHost('app', { configFile: path.join(home, '.ssh', 'config'), homeDir: home, env: { USER: 'alice', TEAM: 'sre' } });
    assert.deepEqual(app.identityFiles, [
      path.join(home, '.ssh', 'id_svc@app.example.com:2022'),
      path.join(home, 'keys', 'alice_100%'),
      path.join(home, '.ssh', 'relative_key'),
      '/abs/sre.key',
    ]);
    assert.equal(app.identitiesOnly, true);
  });

  it('reports an unknown token or unset ${VAR} at its line instead of guessing a path', () => {
    const home = makeHome({ '.ssh/config': 'Host a\n  IdentityFile ~/.ssh/%q\n  IdentityFile ${NOPE}/key\n' });
    const configFile = path.join(home, '.ssh', 'config');
    const { errors } = listConfigHosts(configFile, { homeDir: home, env: ENV });
    assert.deepEqual(errors, [
      { file: configFile, line: 2, message: 'IdentityFile: unknown token %q in "~/.ssh/%q"' },
      { file: configFile, line: 3, message: 'IdentityFile: environment variable NOPE is not set' },
    ]);
  });

  it('uses OpenSSH defaults when nothing is configured: local user, port 22, existing default keys, ask', () => {
    const home = makeHome({ '.ssh/id_ed25519': 'key', '.ssh/id_rsa': 'key', '.ssh/config': 'Host plain\n' });
    const plain = resolveIn(home, 'plain');
    assert.equal(plain.hostName, 'plain');
    assert.equal(plain.user, 'alice');
    assert.equal(plain.port, 22);
    assert.deepEqual(plain.identityFiles, [path.join(home, '.ssh', 'id_rsa'), path.join(home, '.ssh', 'id_ed25519')]);
    assert.equal(plain.identitiesOnly, false);
    assert.deepEqual(plain.knownHostsFiles, [
      path.join(home, '.ssh', 'known_hosts'),
      path.join(home, '.ssh', 'known_hosts2'),
      '/etc/ssh/ssh_known_hosts',
      '/etc/ssh/ssh_known_hosts2',
    ]);
    assert.equal(plain.strictHostKeyChecking, 'ask');
    assert.deepEqual(plain.proxyJump, []);
    assert.deepEqual(plain.needsOpenSsh, []);
  });

  it('lets command-line style overrides win over the config', () => {
    const home = makeHome({}, true);
    const host = resolveHost('db-1', {
      configFile: path.join(home, '.ssh', 'config'),
      homeDir: home,
      env: ENV,
      overrides: { hostName: '10.9.9.9', user: 'root', port: 2200, identityFiles: ['~/.ssh/special'], proxyJump: 'none' },
    });
    assert.equal(host.hostName, '10.9.9.9');
    assert.equal(host.user, 'root');
    assert.equal(host.port, 2200);
    assert.deepEqual(host.identityFiles, [path.join(home, '.ssh', 'special'), path.join(home, '.ssh', 'id_root_10.9.9.9')]);
    assert.deepEqual(host.proxyJump, []);
  });
});

describe('ssh_config: ProxyJump', () => {
  const chainConfig = [
    'Host target',
    '  HostName 10.1.0.5',
    '  ProxyJump outer,ops@inner:2200',
    'Host outer',
    '  HostName outer.example.com',
    '  ProxyJump edge',
    'Host inner',
    '  HostName 10.1.0.1',
    '  User ignored-because-jump-spec-has-a-user',
    '  ProxyJump should-be-ignored',
    'Host edge',
    '  HostName edge.example.com',
    '  Port 443',
    'Host direct',
    '  ProxyJump none',
    'Host * !edge',
    '  ProxyJump edge',
    'Host *',
    '  User deploy',
    '',
  ].join('\n');

  it('resolves every hop from the same config, in dialling order, with user@host:port forms', () => {
    const home = makeHome({ '.ssh/config': chainConfig });
    const target = resolveIn(home, 'target');
    const hops = target.proxyJump.map((hop) => `${hop.alias}=${hop.user}@${hop.hostName}:${hop.port}`);
    // The first hop's own ProxyJump (edge) comes before it, as with ssh -J; the later hop's own
    // ProxyJump is ignored because it is reached through the hops before it.
    assert.deepEqual(hops, ['edge=deploy@edge.example.com:443', 'outer=deploy@outer.example.com:22', 'inner=ops@10.1.0.1:2200']);
    assert.deepEqual(
      target.proxyJump[2].proxyJump.map((hop) => hop.alias),
      ['edge', 'outer'],
      'each hop says how it is reached',
    );
    assert.deepEqual(target.proxyJump[0].proxyJump, []);
  });

  it('honours ProxyJump none before a wildcard ProxyJump', () => {
    const home = makeHome({ '.ssh/config': chainConfig });
    assert.deepEqual(resolveIn(home, 'direct').proxyJump, []);
  });

  it('refuses a jump loop with the hosts involved and the config line', () => {
    const home = makeHome({ '.ssh/config': 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n' });
    assert.throws(
      () => resolveIn(home, 'a'),
      (error: unknown) =>
        error instanceof SshConfigError &&
        error.reason === 'ProxyJump loop: alice@a:22 → alice@b:22 → alice@a:22' &&
        error.location?.line === 2,
    );
  });

  it('refuses a wildcard ProxyJump that makes the jump host jump through itself, as ssh does ("Jumphost loop")', () => {
    const home = makeHome({ '.ssh/config': 'Host *\n  ProxyJump bastion\nHost web\n' });
    assert.throws(() => resolveIn(home, 'bastion'), /ProxyJump loop: alice@bastion:22 → alice@bastion:22$/);
    assert.throws(() => resolveIn(home, 'web'), /ProxyJump loop: alice@web:22 → alice@bastion:22 → alice@bastion:22$/);
  });

  it('reports a malformed ProxyJump at its line', () => {
    const home = makeHome({ '.ssh/config': 'Host a\n  ProxyJump user@:22\n' });
    const configFile = path.join(home, '.ssh', 'config');
    assert.deepEqual(listConfigHosts(configFile, { homeDir: home }).errors, [
      { file: configFile, line: 2, message: 'ProxyJump: "user@:22" is not [user@]host[:port]' },
    ]);
  });
});

describe('ssh_config: what only OpenSSH can do', () => {
  it('names ProxyCommand and security-key identities, with their lines, also through a hop; GSSAPI only as a login method', () => {
    const home = makeHome({
      '.ssh/config': [
        'Host viaproxy',
        '  ProxyCommand ssh -W %h:%p gateway',
        'Host kerberos',
        '  GSSAPIAuthentication yes',
        'Host fido',
        '  IdentityFile ~/.ssh/id_ed25519_sk',
        'Host behind',
        '  ProxyJump viaproxy',
        'Host fine',
        '  GSSAPIAuthentication no',
        '',
      ].join('\n'),
      '.ssh/id_ed25519_sk': 'private',
      '.ssh/id_ed25519_sk.pub': 'sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t alice@laptop\n',
    });
    const configFile = path.join(home, '.ssh', 'config');
    assert.deepEqual(resolveIn(home, 'viaproxy').needsOpenSsh, [`ProxyCommand (${configFile}:2)`]);
    assert.deepEqual(resolveIn(home, 'viaproxy').proxyJump, []);
    // GSSAPI is one more login method, not a reason to leave ssh2 (Debian sets it for every host).
    assert.deepEqual(resolveIn(home, 'kerberos').needsOpenSsh, []);
    assert.equal(resolveIn(home, 'kerberos').gssapiAuthentication, `GSSAPIAuthentication yes (${configFile}:4)`);
    assert.equal(resolveIn(home, 'fine').gssapiAuthentication, undefined);
    assert.deepEqual(resolveIn(home, 'fido').needsOpenSsh, [
      `identity ${path.join(home, '.ssh', 'id_ed25519_sk')} is a security key (sk-ssh-ed25519@openssh.com)`,
    ]);
    assert.deepEqual(resolveIn(home, 'behind').needsOpenSsh, [`via viaproxy: ProxyCommand (${configFile}:2)`]);
    assert.deepEqual(resolveIn(home, 'fine').needsOpenSsh, []);
  });

  it('recognises a security-key private key without its .pub file', () => {
    const home = makeHome({ '.ssh/config': 'Host fido\n  IdentityFile ~/.ssh/fido_key\n' });
    fs.writeFileSync(path.join(home, '.ssh', 'fido_key'), fakeOpenSshPrivateKey('sk-ecdsa-sha2-nistp256@openssh.com'));
    assert.deepEqual(resolveIn(home, 'fido').needsOpenSsh, [
      `identity ${path.join(home, '.ssh', 'fido_key')} is a security key (sk-ecdsa-sha2-nistp256@openssh.com)`,
    ]);
  });

  it('does not flag an ordinary ed25519 key made by ssh-keygen', () => {
    const home = makeHome({ '.ssh/config': 'Host a\n  IdentityFile ~/.ssh/plain\n' });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(home, '.ssh', 'plain')]);
    fs.rmSync(path.join(home, '.ssh', 'plain.pub'));
    assert.deepEqual(resolveIn(home, 'a').needsOpenSsh, []);
  });

  it('does not guess Match exec: the host is marked for OpenSSH instead', () => {
    const home = makeHome({ '.ssh/config': 'Match exec "test -e /nonexistent"\n  Port 2\nHost a\n' });
    const host = resolveIn(home, 'a');
    assert.equal(host.port, 22);
    assert.match(host.needsOpenSsh[0], /^Match exec \(.*config:1\) is only evaluated by OpenSSH$/);
  });
});

describe('ssh_config: the equivalent ssh command', () => {
  it('is just `ssh alias` for a host of ~/.ssh/config, and adds -F for another config', () => {
    const home = makeHome({}, true);
    const defaultConfig = path.join(home, '.ssh', 'config');
    assert.deepEqual(sshCommandLine(resolveIn(home, 'db-1'), defaultConfig, { homeDir: home, env: ENV }), ['ssh', 'db-1']);
    const other = path.join(home, 'other_config');
    fs.copyFileSync(defaultConfig, other);
    assert.deepEqual(sshCommandLine(resolveIn(home, 'web-2', other), other, { homeDir: home, env: ENV }), ['ssh', '-F', other, 'web-2']);
  });

  it('spells out what a hosts.json entry sets, and OpenSSH resolves it to the same host', () => {
    const home = makeHome({}, true);
    const configFile = path.join(home, 'config_copy');
    fs.copyFileSync(path.join(home, '.ssh', 'config'), configFile);
    const host = resolveHost('app-db', {
      configFile,
      homeDir: home,
      env: ENV,
      overrides: { hostName: '10.0.0.7', user: 'ops', port: 2222, identityFiles: ['/keys/db'], proxyJump: 'bastion' },
    });
    const argv = sshCommandLine(host, configFile, { homeDir: home, env: ENV });
    assert.deepEqual(argv, [
      'ssh',
      '-F',
      configFile,
      '-o',
      'HostName=10.0.0.7',
      '-p',
      '2222',
      '-l',
      'ops',
      '-i',
      '/keys/db',
      '-J',
      'jump@bastion:22',
      'app-db',
    ]);
    const openssh = parseSshG(execFileSync('ssh', ['-G', ...argv.slice(1)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    assert.equal(openssh.hostname, host.hostName);
    assert.equal(openssh.port, String(host.port));
    assert.equal(openssh.user, host.user);
    assert.equal(openssh.proxyjump, 'jump@bastion:22');
  });

  it('quotes for a POSIX shell only where needed', () => {
    assert.equal(shellQuote(['ssh', '-F', '/tmp/my config', "it's", 'web-1']), `ssh -F '/tmp/my config' 'it'\\''s' web-1`);
  });
});

describe('ssh_config: loading once, resolving many', () => {
  it('exposes hosts, problems and resolve from one read of the files', () => {
    const home = makeHome({}, true);
    const config = loadSshConfig({ configFile: path.join(home, '.ssh', 'config'), homeDir: home, env: ENV });
    assert.equal(config.hosts.length, 5);
    assert.deepEqual(config.problems, []);
    assert.equal(config.resolve('bastion').user, 'jump');
  });
});

function sshG(configFile: string, alias: string, options: { allowFailure?: boolean } = {}): string {
  try {
    return execFileSync('ssh', ['-G', '-F', configFile, alias], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (!options.allowFailure) throw error;
    return String((error as { stderr?: string }).stderr);
  }
}

function parseSshG(output: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) values[line.slice(0, space)] ??= line.slice(space + 1);
  }
  return values;
}

/** An unencrypted openssh-key-v1 container whose public key has the given type. */
function fakeOpenSshPrivateKey(keyType: string): string {
  const string = (value: Buffer | string): Buffer => {
    const data = Buffer.from(value);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, data]);
  };
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const publicKey = string(Buffer.concat([string(keyType), string('nistp256'), string(Buffer.alloc(65, 4))]));
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), string('none'), string('none'), string(''), count, publicKey]);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}
