// openNodeInspector over a real sshd against real `node` processes started here (the harness hosts
// run on this machine, so the host sees the same pids): SIGUSR1 opens the inspector, the port that
// process owns is found and forwarded, and the inspector's /json/list answers through the forward.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openNodeInspector, type ForwardingRunner } from '../../../src/core/debug/node/inspector';
import { EventBus, type IncidentEvent } from '../../../src/core/events';
import type { SshPool } from '../../../src/core/ssh/pool';
import { generateKey, makeTempDir, startSshHost, stopProcess, trackProcess, writeSshConfig, type SshHost } from '../../harness';
import { poolFor } from '../ssh/support';

const TIMEOUT = 60_000;
let dir: string;
let script: string;
let web: SshHost;
let restricted: SshHost;
let noForwarding: SshHost;
let pool: SshPool;
const started: ChildProcess[] = [];

before(async () => {
  dir = makeTempDir('node-inspector-test');
  script = join(dir, 'inspector-target.js');
  writeFileSync(script, "let ticks = 0;\nsetInterval(() => { ticks++; }, 50);\nprocess.stdout.write('ready\\n');\n");
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey], allowTcpForwarding: true });
  noForwarding = await startSshHost({ name: 'closed-1', authorizedKeys: [userKey.publicKey] });
  // Sessions on this host run as nobody: a root-owned node is someone else's process there.
  restricted = await startSshHost({
    name: 'ro-1',
    authorizedKeys: [userKey.publicKey],
    extraConfig: ['ForceCommand exec runuser -u nobody -- sh -c "$SSH_ORIGINAL_COMMAND"'],
  });
  const { configFile } = writeSshConfig({
    dir,
    entries: [web, restricted, noForwarding].map((host) => ({ host, identityFiles: [userKey.privateKeyPath] })),
  });
  pool = poolFor(configFile);
});

after(async () => {
  pool.dispose();
  await Promise.all(started.map((child) => stopProcess(child)));
  await Promise.all([web.stop(), restricted.stop(), noForwarding.stop()]);
});

/** Starts `command args` and resolves once it printed "ready" (or at once when `ready` is false). */
async function startProcess(command: string, args: string[], ready = true): Promise<ChildProcess> {
  const child = trackProcess(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  started.push(child);
  child.stderr!.resume();
  if (ready) {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`${command} exited (${code})`)));
    });
  }
  child.stdout!.resume();
  return child;
}

/** A runner that records each command it runs on the host. */
async function recordingRunner(host: string): Promise<{ runner: ForwardingRunner; commands: string[] }> {
  const inner = await pool.connect(host);
  const commands: string[] = [];
  return {
    commands,
    runner: {
      host: inner.host,
      exec: (command, options) => (commands.push(command), inner.exec(command, options)),
      spawn: (command) => inner.spawn(command),
      forwardOut: (address, port) => inner.forwardOut(address, port),
    },
  };
}

function getJson(port: number, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

test(
  'SIGUSR1 opens the inspector, its own port is found and forwarded, /json/list names the script; a second open does not signal',
  { timeout: TIMEOUT },
  async () => {
    // --inspect-port=0: the inspector takes a free port, not 9229 (found by ownership, not by number).
    const target = await startProcess(process.execPath, ['--inspect-port=0', script]);
    const bus = new EventBus();
    const events: IncidentEvent[] = [];
    bus.onAny((event) => events.push(event));
    const { runner, commands } = await recordingRunner('web-1');

    const inspector = await openNodeInspector(runner, target.pid!, { events: bus });
    assert.equal(inspector.signalled, true);
    assert.ok(
      commands.some((c) => c === `kill -10 ${target.pid}`),
      'SIGUSR1 was sent',
    );
    assert.notEqual(inspector.remotePort, 9229);
    const targets = (await getJson(inspector.localPort, '/json/list')) as { url: string; webSocketDebuggerUrl: string }[];
    assert.equal(targets.length, 1);
    assert.equal(targets[0].url, `file://${script}`);
    assert.match(
      targets[0].webSocketDebuggerUrl,
      new RegExp(`^ws://127\\.0\\.0\\.1:${inspector.localPort}/`),
      'the inspector names the forwarded port (it answers with the Host header)',
    );
    assert.deepEqual(
      events.flatMap((e) =>
        e.name === 'debug.inspectorOpened' ? [{ host: e.host, pid: e.pid, port: e.port, signalled: e.signalled }] : [],
      ),
      [{ host: 'web-1', pid: target.pid, port: inspector.remotePort, signalled: true }],
    );

    commands.length = 0;
    const again = await openNodeInspector(runner, target.pid!);
    assert.equal(again.signalled, false);
    assert.equal(again.remotePort, inspector.remotePort);
    assert.deepEqual(
      commands.filter((c) => c.startsWith('kill')),
      [],
      'no second signal',
    );
    assert.equal(((await getJson(again.localPort, '/json/version')) as { Browser: string }).Browser, `node.js/${process.version}`);

    await inspector.dispose();
    assert.equal(await connectRefused(inspector.localPort), true, 'the forward is closed after dispose');
    assert.equal(((await getJson(again.localPort, '/json/list')) as unknown[]).length, 1, 'the other forward still works');
    await again.dispose();
    assert.equal(target.exitCode, null, 'the target runs on');
  },
);

test('the inspector port taken by another process: the error names the port and what to do', { timeout: TIMEOUT }, async () => {
  // Hold 9229 here; if something else on the machine already holds it, the case is the same.
  const holder = net.createServer();
  await new Promise<void>((resolve) => {
    holder.once('error', () => resolve());
    holder.listen(9229, '127.0.0.1', () => resolve());
  });
  try {
    const target = await startProcess(process.execPath, [script]);
    await assert.rejects(
      openNodeInspector(await pool.connect('web-1'), target.pid!, { timeoutMs: 3_000 }),
      new RegExp(
        `^NodeInspectorError: ${target.pid} on web-1 could not open its inspector: port 9229 is already taken by another process .*restart ${target.pid} with --inspect-port=0\\.$`,
      ),
    );
  } finally {
    holder.close();
  }
});

test('a process named node that does not handle SIGUSR1 is refused and not signalled', { timeout: TIMEOUT }, async () => {
  // Node 20 here has no --disable-sigusr1; a real process named node whose SIGUSR1 is not caught
  // (a copy of sleep) is in the state that flag leaves: the signal would terminate it.
  const fakeNode = join(dir, 'node');
  copyFileSync('/bin/sleep', fakeNode);
  const target = await startProcess(fakeNode, ['600'], false);
  const { runner, commands } = await recordingRunner('web-1');
  await assert.rejects(
    openNodeInspector(runner, target.pid!),
    new RegExp(
      `^NodeInspectorError: ${target.pid} on web-1 does not handle SIGUSR1 \\(started with --disable-sigusr1\\?\\).*restart it with --inspect`,
    ),
  );
  assert.deepEqual(
    commands.filter((c) => c.startsWith('kill')),
    [],
  );
  assert.equal(target.exitCode, null, 'it still runs');
});

test('preflight: a missing pid, a process that is not node, and a node of another user', { timeout: TIMEOUT }, async () => {
  await assert.rejects(
    openNodeInspector(await pool.connect('web-1'), 999_999_999),
    /^NodeInspectorError: There is no process 999999999 on web-1; pick a running one\.$/,
  );
  const sleeper = await startProcess('/bin/sleep', ['600'], false);
  await assert.rejects(
    openNodeInspector(await pool.connect('web-1'), sleeper.pid!),
    new RegExp(`^NodeInspectorError: ${sleeper.pid} on web-1 is not a Node process \\(/usr/bin/sleep\\)`),
  );
  const target = await startProcess(process.execPath, ['--inspect-port=0', script]);
  await assert.rejects(
    openNodeInspector(await pool.connect('ro-1'), target.pid!),
    new RegExp(`^NodeInspectorError: ${target.pid} on ro-1 belongs to uid 0 and the ssh login is uid \\d+; log in as its owner or as root`),
  );
});

test('a host that does not allow TCP forwarding: the error says so once the inspector is open', { timeout: TIMEOUT }, async () => {
  const target = await startProcess(process.execPath, ['--inspect-port=0', script]);
  await assert.rejects(
    openNodeInspector(await pool.connect('closed-1'), target.pid!),
    /^NodeInspectorError: closed-1 refused to forward to 127\.0\.0\.1:\d+ over SSH \(.*\); allow TCP forwarding for this login \(sshd AllowTcpForwarding yes\)\.$/,
  );
});
