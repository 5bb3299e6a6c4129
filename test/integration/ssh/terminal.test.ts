import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { loadSshConfig } from '../../../src/core/ssh/config';
import { openSshArgv, spawnOpenSshTerminal } from '../../../src/core/ssh/openssh';
import { SshError } from '../../../src/core/ssh/errors';
import { EventBus } from '../../../src/core/events/bus';
import type { IncidentEvent } from '../../../src/core/events/types';
import { makeTempDir, startSandboxHost, writeSshConfig, type SandboxHost } from '../../harness';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_TIMEOUT_MS, poolFor, onCommandEnded } from './support';

let sandbox: SandboxHost;

before(async () => {
  // Forwarding on, so a ProxyCommand of `ssh -W` can go through the host to itself.
  sandbox = await startSandboxHost({ name: 'web-1', allowTcpForwarding: true });
});

after(async () => {
  await sandbox.stop();
});

/** Collects a stream's text until `pattern` shows up in it; the deadline is generous (a login shell here takes seconds under load). */
function readUntil(stream: Readable, pattern: RegExp, timeoutMs = 25_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`${pattern} did not appear within ${timeoutMs} ms; got ${JSON.stringify(text.slice(-500))}`));
    }, timeoutMs);
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(text);
      }
    };
    stream.on('data', onData);
  });
}

test('top in a pooled pty shows its header with the load average', { timeout: TEST_TIMEOUT_MS }, async () => {
  const pool = poolFor(sandbox.configFile);
  const commands: IncidentEvent<'command.ended'>[] = [];
  onCommandEnded(pool, (record) => commands.push(record));
  try {
    const top = await pool.runner('web-1').openPty('top', { cols: 120, rows: 30 });
    const screen = await readUntil(top.stdout, /top - .*load average: [\d.]+, [\d.]+, [\d.]+/);
    assert.match(screen, /Tasks:/);
    top.stdin.write('q');
    assert.deepEqual(await top.exit, { exitCode: 0, signal: null });
    assert.deepEqual(
      commands.map(({ host, command, exitCode }) => ({ host, command, exitCode })),
      [{ host: 'web-1', command: 'top', exitCode: 0 }],
    );
  } finally {
    pool.dispose();
  }
});

test('a pooled login shell follows resizes of its pty', { timeout: TEST_TIMEOUT_MS }, async () => {
  const pool = poolFor(sandbox.configFile);
  try {
    const shell = await pool.runner('web-1').openPty(undefined, { cols: 80, rows: 24 });
    shell.stdin.write('stty size\n');
    await readUntil(shell.stdout, /^24 80\r?$/m);
    shell.resize(100, 30);
    shell.stdin.write('stty size\n');
    await readUntil(shell.stdout, /^30 100\r?$/m);
    shell.stdin.write('exit 7\n');
    assert.deepEqual(await shell.exit, { exitCode: 7, signal: null });
  } finally {
    pool.dispose();
  }
});

test('the OpenSSH transport runs the system ssh in a pty with the same shape', { timeout: TEST_TIMEOUT_MS }, async () => {
  const host = loadSshConfig({ configFile: sandbox.configFile }).resolve('web-1');
  assert.deepEqual(openSshArgv(host, { configFile: sandbox.configFile, command: 'top' }), [
    'ssh',
    '-t',
    '-F',
    sandbox.configFile,
    '--',
    'web-1',
    'top',
  ]);
  const top = spawnOpenSshTerminal(host, { configFile: sandbox.configFile, command: 'top', size: { cols: 120, rows: 30 } });
  await readUntil(top.stdout, /top - .*load average:/);
  top.resize(100, 40);
  top.close();
  const exit = await top.exit;
  assert.equal(exit.exitCode, null);
  assert.equal(exit.signal, 'SIGHUP');

  const shell = spawnOpenSshTerminal(host, { configFile: sandbox.configFile, size: { cols: 80, rows: 24 } });
  shell.stdin.write('stty size; exit 5\n');
  await readUntil(shell.stdout, /^24 80\r?$/m);
  assert.deepEqual(await shell.exit, { exitCode: 5, signal: null });
});

test('the OpenSSH transport reports a failed connection as an error, not an exit code', { timeout: TEST_TIMEOUT_MS }, async () => {
  const host = { ...loadSshConfig({ configFile: sandbox.configFile }).resolve('web-1'), port: 1 };
  const shell = spawnOpenSshTerminal(host, { configFile: sandbox.configFile, size: { cols: 80, rows: 24 } });
  const screen = readUntil(shell.stdout, /Connection refused/);
  const exit = await shell.exit;
  assert.match(await screen, /port 1: Connection refused/);
  assert.equal(exit.exitCode, null);
  assert.match(exit.error?.message ?? '', /^web-1: ssh could not connect or lost the connection/);
});

test(
  'a host behind a ProxyCommand is refused by the pool with a clear reason and reached by the OpenSSH transport',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { configFile } = writeSshConfig({
      dir: sandbox.host.dir,
      fileName: 'proxy_command',
      entries: [
        { host: sandbox.host, identityFiles: [sandbox.userKey.privateKeyPath] },
        {
          host: sandbox.host,
          alias: 'web-1-pc',
          identityFiles: [sandbox.userKey.privateKeyPath],
          extra: [`ProxyCommand ssh -F ${sandbox.host.dir}/proxy_command -W %h:%p web-1`],
        },
      ],
    });
    const pool = poolFor(configFile);
    try {
      const error = await pool.connect('web-1-pc').then(
        () => assert.fail('connected'),
        (e: unknown) => e as SshError,
      );
      assert.ok(error instanceof SshError && error.kind === 'unreachable');
      assert.match(error.message, /^web-1-pc \(.+\): its ssh config uses ProxyCommand .*only the system ssh can follow/);
    } finally {
      pool.dispose();
    }
    const host = loadSshConfig({ configFile }).resolve('web-1-pc');
    const shell = spawnOpenSshTerminal(host, { configFile, command: 'echo through-the-proxy-command', size: { cols: 80, rows: 24 } });
    await readUntil(shell.stdout, /through-the-proxy-command/);
    assert.deepEqual(await shell.exit, { exitCode: 0, signal: null });
  },
);

test(
  'the OpenSSH transport publishes its command: started when ssh starts, ended with the exit code, same id',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const host = loadSshConfig({ configFile: sandbox.configFile }).resolve('web-1');
    const bus = new EventBus();
    const events: IncidentEvent[] = [];
    bus.onAny((event) => events.push(event));
    const shell = spawnOpenSshTerminal(host, {
      configFile: sandbox.configFile,
      command: 'exit 4',
      size: { cols: 80, rows: 24 },
      events: bus,
    });
    assert.deepEqual(
      events.map((e) => e.name),
      ['command.started'],
    );
    assert.equal((await shell.exit).exitCode, 4);
    const [started, ended] = events as [IncidentEvent<'command.started'>, IncidentEvent<'command.ended'>];
    assert.deepEqual(
      { name: ended.name, source: ended.source, host: ended.host, command: ended.command, exitCode: ended.exitCode, id: ended.id },
      { name: 'command.ended', source: 'openssh', host: 'web-1', command: 'exit 4 (OpenSSH terminal)', exitCode: 4, id: started.id },
    );
  },
);

test(
  'an alias that looks like an option reaches ssh as a destination after --, never as an option',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const marker = join(makeTempDir('argv-injection'), 'pwned');
    const hostile = { ...loadSshConfig({ configFile: sandbox.configFile }).resolve('web-1'), alias: `-oProxyCommand=touch ${marker}` };
    const argv = openSshArgv(hostile, { configFile: sandbox.configFile });
    assert.deepEqual(argv.slice(-2), ['--', hostile.alias]);
    const shell = spawnOpenSshTerminal(hostile, { configFile: sandbox.configFile, size: { cols: 80, rows: 24 } });
    const exit = await shell.exit;
    assert.equal(exit.exitCode, null);
    assert.ok(exit.error, 'ssh failed to reach a host of that name');
    assert.equal(existsSync(marker), false, 'the ProxyCommand did not run');
  },
);
