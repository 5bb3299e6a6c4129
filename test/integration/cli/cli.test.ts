// The `firefighter` CLI against real sshd hosts: what a runbook or script sees (output and exit codes).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { freePort, makeTempDir, startSandboxHost, writeSshConfig, type SandboxHost } from '../../harness';
import { captureIo } from '../../support/cliIo';

async function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo({ env: { ...process.env, SSH_AUTH_SOCK: '' }, stdin: stdin === undefined ? undefined : Readable.from([stdin]) });
  const code = await runCli(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('firefighter CLI', () => {
  let sandbox: SandboxHost;
  let hostsJson: string;

  before(async () => {
    sandbox = await startSandboxHost({ name: 'web-1' });
    hostsJson = path.join(makeTempDir('cli'), 'hosts.json');
    writeFileSync(hostsJson, JSON.stringify({ hosts: [{ name: 'web-1', tags: ['production'], group: 'checkout' }] }));
  });
  after(() => sandbox?.stop());

  test('hosts lists the inventory with tags, as text and as JSON lines', async () => {
    const text = await cli(['-F', sandbox.configFile, '--hosts', hostsJson, 'hosts']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^web-1 {2}root@127\.0\.0\.\d+:\d+ {2}group checkout {2}\[production\]$/m);
    const json = await cli(['-F', sandbox.configFile, '--hosts', hostsJson, 'hosts', '--json']);
    const [entry] = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      { name: entry.name, tags: entry.tags, group: entry.group, port: entry.port },
      { name: 'web-1', tags: ['production'], group: 'checkout', port: sandbox.host.port },
    );
  });

  test('exec prints the remote output and returns the remote exit code', async () => {
    const result = await cli(['-F', sandbox.configFile, 'exec', 'web-1', '--', 'echo out; echo err >&2; exit 7']);
    assert.deepEqual(result, { code: 7, stdout: 'out\n', stderr: 'err\n' });
  });

  test('exec passes its stdin to the remote command, as ssh does', async () => {
    const result = await cli(['-F', sandbox.configFile, 'exec', 'web-1', '--', 'tr a-z A-Z'], 'piped in\n');
    assert.deepEqual(result, { code: 0, stdout: 'PIPED IN\n', stderr: '' });
  });

  test('health --json prints one sample in the documented shape', async () => {
    const result = await cli(['-F', sandbox.configFile, 'health', 'web-1', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const health = JSON.parse(result.stdout);
    assert.equal(health.host, 'web-1');
    assert.equal(health.load.length, 3);
    assert.ok(health.cpus >= 1 && health.memory.totalBytes > health.memory.availableBytes);
    assert.ok(health.processes.length > 0 && health.processes.every((p: { pid: number; command: string }) => p.pid > 0 && p.command));
  });

  test('an unknown host key is refused with exit 4 (no prompt outside VS Code)', async () => {
    const dir = makeTempDir('cli-unknown');
    const { configFile } = writeSshConfig({
      dir,
      entries: [{ host: sandbox.host, identityFiles: [sandbox.userKey.privateKeyPath], unknownHostKey: true }],
    });
    const result = await cli(['-F', configFile, 'exec', 'web-1', '--', 'true']);
    assert.equal(result.code, 4);
    assert.match(result.stderr, /web-1/);
  });

  test('a host nobody listens on fails with exit 3 naming the host', async () => {
    const dir = makeTempDir('cli-down');
    const port = await freePort('127.0.0.1');
    const { configFile } = writeSshConfig({
      dir,
      entries: [{ host: { name: 'down-1', address: '127.0.0.1', port }, identityFiles: [sandbox.userKey.privateKeyPath] }],
    });
    const result = await cli(['-F', configFile, 'health', 'down-1']);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /down-1/);
  });

  test('bad usage exits 2 with the usage text', async () => {
    const result = await cli(['exec', 'web-1', 'true']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /usage: firefighter exec HOST -- COMMAND/);
    assert.equal((await cli(['frobnicate'])).code, 2);
  });
});
