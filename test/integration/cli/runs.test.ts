// The `firefighter` process as a shell runs it: --events on every command, a closed pipe, Ctrl-C,
// a missing -F file, and hosts.json text that must not drive the terminal. Real sshd hosts.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { makeTempDir, startSandboxHost, writeSshConfig, type SandboxHost } from '../../harness';
import { captureIo } from '../../support/cliIo';
import { waitFor } from '../../support/waitFor';

const MAIN = path.resolve(__dirname, '../../../src/cli/main.ts');
const env = { ...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1' };

async function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo({ env, stdin: stdin === undefined ? undefined : Readable.from([stdin]) });
  const code = await runCli(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

function eventsIn(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('firefighter as a process and its events', () => {
  let sandbox: SandboxHost;
  let dir: string;

  before(async () => {
    sandbox = await startSandboxHost({ name: 'web-1' });
    dir = makeTempDir('cli-runs');
  });
  after(() => sandbox?.stop());

  test('--events FILE on exec: connection and the command, started and ended with its exit code, as JSON lines', async () => {
    const file = path.join(dir, 'exec.events');
    const result = await cli(['-F', sandbox.configFile, '--events', file, 'exec', 'web-1', '--', 'exit 5']);
    assert.equal(result.code, 5);
    const events = eventsIn(file);
    assert.deepEqual(
      events.map((e) => `${e.name} ${e.state ?? e.command}`),
      ['connection.changed connecting', 'connection.changed connected', 'command.started exit 5', 'command.ended exit 5'],
    );
    const ended = events[3];
    assert.deepEqual(Object.keys(ended).slice(0, 4), ['name', 'at', 'host', 'source']);
    assert.equal(ended.host, 'web-1');
    assert.equal(ended.exitCode, 5);
    assert.equal(ended.id, events[2].id);
  });

  test('--events FILE on health records the commands the sample ran', async () => {
    const file = path.join(dir, 'health.events');
    const result = await cli(['-F', sandbox.configFile, '--events', file, 'health', 'web-1']);
    assert.equal(result.code, 0, result.stderr);
    const ended = eventsIn(file).filter((e) => e.name === 'command.ended');
    assert.ok(ended.length > 0 && ended.every((e) => e.host === 'web-1' && e.exitCode === 0));
  });

  test("--events FILE on tail records the follower's commands; on traces the file is created and every line is an event", async () => {
    const log = path.join(dir, 'app.log');
    writeFileSync(log, 'one\ntwo\n');
    const file = path.join(dir, 'tail.events');
    const io = captureIo({ env });
    const running = runCli(['-F', sandbox.configFile, '--events', file, 'tail', 'web-1', log, '--lines', '2'], io);
    await waitFor('the last lines', () => io.out().includes('two'));
    io.abort();
    assert.equal(await running, 0);
    assert.ok(eventsIn(file).some((e) => e.name === 'command.started' && e.host === 'web-1'));

    const tracesFile = path.join(dir, 'traces.events');
    const traces = await cli(
      ['--events', tracesFile, 'traces'],
      'Traceback (most recent call last):\n  File "/srv/app/x.py", line 3, in f\nValueError: bad\n',
    );
    assert.equal(traces.code, 0, traces.stderr);
    const text = readFileSync(tracesFile, 'utf8');
    for (const line of text.split('\n').filter(Boolean)) assert.equal(typeof JSON.parse(line).name, 'string');
  });

  test('a -F file that does not exist is bad usage (exit 2) naming the file', async () => {
    const missing = path.join(dir, 'no-such-config');
    const result = await cli(['-F', missing, 'hosts']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `firefighter: -F ${missing}: no such file\n`);
  });

  test('-F or --hosts naming a device or a FIFO is bad usage (exit 2) at once, naming the file', async () => {
    assert.deepEqual(await cli(['-F', '/dev/zero', 'hosts']), {
      code: 2,
      stdout: '',
      stderr: 'firefighter: -F /dev/zero: not a regular file\n',
    });
    assert.deepEqual(await cli(['--hosts', '/dev/zero', 'hosts']), {
      code: 2,
      stdout: '',
      stderr: 'firefighter: --hosts /dev/zero: not a regular file\n',
    });
    const fifo = path.join(dir, 'hosts.fifo');
    spawnSync('mkfifo', [fifo]);
    assert.equal((await cli(['-F', sandbox.configFile, '--hosts', fifo, 'hosts'])).code, 2);
  });

  test('a hosts.json entry named like an ssh option is refused where the inventory is read, and exec cannot reach it', async () => {
    const hostsJson = path.join(dir, 'inject.json');
    writeFileSync(hostsJson, JSON.stringify({ hosts: [{ name: '-oProxyCommand=touch /tmp/ff-pwned', address: '127.0.0.1' }] }));
    const listed = await cli(['-F', sandbox.configFile, '--hosts', hostsJson, 'hosts']);
    assert.match(
      listed.stderr,
      /"name" "-oProxyCommand=touch \/tmp\/ff-pwned" starts with "-", which ssh would read as an option; this entry is skipped/,
    );
    assert.doesNotMatch(listed.stdout, /ProxyCommand/);
  });

  test('escape sequences in hosts.json names, groups and tags are shown, not sent to the terminal', async () => {
    const hostsJson = path.join(dir, 'hostile.json');
    writeFileSync(
      hostsJson,
      JSON.stringify({ hosts: [{ name: 'web-1', group: 'pay\u001b]52;c;cm0gLXJmIC8K\u0007', tags: ['\u001b[2J\u001b[31mprod'] }] }),
    );
    const result = await cli(['-F', sandbox.configFile, '--hosts', hostsJson, 'hosts']);
    assert.equal(result.code, 0);
    assert.doesNotMatch(result.stdout + result.stderr, /\u001b|\u0007/);
    assert.match(result.stdout, /group pay␛\]52;c;cm0gLXJmIC8K␇ {2}\[␛\[2Jprod\]$/m);
  });

  test('exec into a closed pipe ends quietly (141, nothing on stderr)', () => {
    const run = spawnSync(
      'bash',
      [
        '-c',
        `set -o pipefail; node --import tsx ${MAIN} -F ${sandbox.configFile} exec web-1 -- yes | head -c 10 >/dev/null; echo "exit=$?" >&2`,
      ],
      { env, encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(run.stderr, 'exit=141\n');
  });

  test('traces into a closed pipe ends quietly too (the handling is shared by every command)', () => {
    const block = 'Traceback (most recent call last):\n  File "/srv/app/x.py", line 3, in f\nValueError: bad\n';
    const input = path.join(dir, 'many-traces.txt');
    writeFileSync(input, block.repeat(20_000));
    const run = spawnSync(
      'bash',
      ['-c', `set -o pipefail; node --import tsx ${MAIN} traces < ${input} | head -c 10 >/dev/null; echo "exit=$?" >&2`],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.stderr, 'exit=141\n');
  });

  test('Ctrl-C while still connecting (a host that never answers) ends exec with 130 at once', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { configFile } = writeSshConfig({
        dir,
        fileName: 'silent_config',
        entries: [
          {
            host: { name: 'silent-1', address: '127.0.0.1', port: (silent.address() as AddressInfo).port },
            identityFiles: [sandbox.userKey.privateKeyPath],
          },
        ],
      });
      const io = captureIo({ env });
      const running = runCli(['-F', configFile, 'exec', 'silent-1', '--', 'true'], io);
      await new Promise((resolve) => silent.once('connection', resolve));
      io.abort();
      assert.equal(await running, 130);
    } finally {
      silent.close();
    }
  });

  // sshd refuses signal requests in root sessions ("session signalling requires privilege
  // separation"), and the harness logs in as root: there the command learns of the closed
  // channel at its next write (SIGPIPE). For other users it gets the SIGHUP sent over the channel.
  test('Ctrl-C on exec stops at once with 130 and the remote command does not run on', async () => {
    const marker = `tick-${process.pid}`;
    const command = `while sleep 0.1; do echo ${marker}; done`;
    const child = spawn('node', ['--import', 'tsx', MAIN, '-F', sandbox.configFile, 'exec', 'web-1', '--', command], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const remoteRuns = () => spawnSync('pgrep', ['-f', `do echo ${marker}`]).status === 0;
    await waitFor('the remote command to write', () => stdout.includes(marker), 20_000);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.equal(stderr, '');
    await waitFor('the remote command to end', () => !remoteRuns(), 5000);
  });
});
