// `firefighter snapshot` and `firefighter sample` over a real sshd host, against the 20-thread C
// program: what a runbook or script sees.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { makeTempDir, startSandboxHost, stopProcess, type SandboxHost } from '../../harness';
import { captureIo } from '../../support/cliIo';
import { allThreadsRunning, buildFixture, startTarget } from './targets';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo({ env: { ...process.env, SSH_AUTH_SOCK: '' } });
  const code = await runCli(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('firefighter snapshot and sample', () => {
  let sandbox: SandboxHost;
  let target: ChildProcess;
  let pid: string;

  before(async () => {
    sandbox = await startSandboxHost({ name: 'web-1' });
    target = await startTarget(buildFixture('threads.c'));
    pid = String(target.pid);
  });
  after(async () => {
    await stopProcess(target);
    await sandbox?.stop();
  });

  test('snapshot --json prints the documented shape, frames in the traces frame shape', async () => {
    const result = await cli(['-F', sandbox.configFile, 'snapshot', 'web-1', pid, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const snapshot = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(snapshot).sort(), ['engine', 'host', 'pauseMs', 'pid', 'runtime', 'takenAt', 'threads', 'wallMs']);
    assert.deepEqual([snapshot.host, snapshot.pid, snapshot.runtime, snapshot.engine], ['web-1', Number(pid), 'native', 'eu-stack']);
    assert.equal(snapshot.threads.length, 20);
    const frame = snapshot.threads[1].frames.find((f: { function: string }) => f.function === 'worker');
    assert.deepEqual(Object.keys(frame).sort(), ['app', 'column', 'file', 'function', 'line', 'local']);
    assert.ok(allThreadsRunning(Number(pid)));
  });

  test('snapshot --engine gdb says how long gdb stopped the process', async () => {
    const result = await cli(['-F', sandbox.configFile, 'snapshot', 'web-1', pid, '--engine', 'gdb']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^web-1 process ${pid} \\(native\\): 20 threads by gdb, pause [\\d.]+ ms`));
    assert.match(result.stdout, /^warning: gdb stopped every thread of process \d+ for \d+ ms\.$/m);
    assert.match(result.stdout, /^ {2}#\d+ parked_on_mutex \(.*threads\.c:22\)$/m);
    assert.ok(allThreadsRunning(Number(pid)));
  });

  test('sample writes speedscope JSON and collapsed stacks, hottest first', async () => {
    const dir = makeTempDir('sample-out');
    const json = path.join(dir, 'profile.json');
    const result = await cli(['-F', sandbox.configFile, 'sample', 'web-1', pid, '--seconds', '1', '--hz', '4', '--out', json]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^web-1 process ${pid} \\(native\\): \\d+ samples by eu-stack`));
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(doc.profiles[0].type, 'sampled');
    assert.ok(doc.shared.frames.some((f: { name: string }) => f.name === 'parked_in_sleep'));
    // Ten threads share the sleeping stack: it is the hottest.
    const top = doc.profiles[0].samples[0].map((i: number) => doc.shared.frames[i].name);
    assert.ok(top.includes('parked_in_sleep'), top.join(';'));
    const collapsed = path.join(dir, 'profile.folded');
    const folded = await cli(['-F', sandbox.configFile, 'sample', 'web-1', pid, '--seconds', '0.5', '--hz', '2', '--out', collapsed]);
    assert.equal(folded.code, 0, folded.stderr);
    // Root first: the sleeping worker's stack goes from start_thread through parked_in_sleep to the libc sleep.
    assert.match(readFileSync(collapsed, 'utf8').split('\n')[0], /;parked_in_sleep \([^)]*threads\.c:17\);.*nanosleep.* \d+$/);
    assert.ok(allThreadsRunning(Number(pid)));
  });

  test('bad usage exits 2 with the usage text', async () => {
    const noPid = await cli(['-F', sandbox.configFile, 'snapshot', 'web-1']);
    assert.equal(noPid.code, 2);
    assert.match(noPid.stderr, /usage: firefighter snapshot HOST PID/);
    const badEngine = await cli(['-F', sandbox.configFile, 'snapshot', 'web-1', pid, '--engine', 'strace']);
    assert.equal(badEngine.code, 2);
    const badHz = await cli(['-F', sandbox.configFile, 'sample', 'web-1', pid, '--hz', '0']);
    assert.equal(badHz.code, 2);
    assert.match(badHz.stderr, /--hz needs a positive number/);
  });
});
