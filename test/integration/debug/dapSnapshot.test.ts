// Snapshots through DAP: DebugClient drives the standalone adapter, built with the extension's own
// runtime factory, on a real sshd host over a real pool, against real processes: the 20-thread C
// program (eu-stack) and a CPython service on every interpreter this machine has (the memory
// reader), its frames mapped to a workspace copy by the path-mapping rules. The process never
// stops, and runs untraced after the disconnect.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { interpreters, startTarget as startPython, TARGET_SCRIPT, targetLine } from '../../fixtures/snapshot/python/targets';
import { stopProcess } from '../../harness';
import { waitFor } from '../ssh/support';
import { buildFixture, startTarget } from '../snapshot/targets';
import { attach, connect, HOST, nextStop, startDapHost, type DapHost } from './dapSupport';
import { describeTasks, runsFreely } from './gdbSupport';

const THREADS_SOURCE = path.join(__dirname, '../../fixtures/snapshot/threads.c');
/** The native fixture's functions where its threads wait. */
const PARKED = new Set(['parked_in_sleep', 'parked_on_mutex', 'main_waits']);

let host: DapHost;
/** The workspace: copies of the fixtures, which the rules map the processes' files to. */
let workspace: string;

before(async () => {
  host = await startDapHost('dap-snapshot');
  workspace = path.join(host.dir, 'workspace');
  mkdirSync(workspace);
  copyFileSync(THREADS_SOURCE, path.join(workspace, 'threads.c'));
  copyFileSync(TARGET_SCRIPT, path.join(workspace, 'target.py'));
  host.rules.set([
    { remoteRoot: path.dirname(THREADS_SOURCE), localRoot: workspace, host: HOST },
    { remoteRoot: path.dirname(TARGET_SCRIPT), localRoot: workspace },
  ]);
});

after(() => host.stop());

async function assertRunsFreely(pid: number): Promise<void> {
  await waitFor(`every thread of ${pid} to run untraced`, () => runsFreely(pid), 20_000).catch((error: Error) => {
    throw new Error(`${error.message}: ${describeTasks(pid)}`);
  });
}

test(
  "a 20-thread native program: every thread named, each stack in the program's functions, mapped to the workspace; it runs on after the disconnect",
  { timeout: 120_000 },
  async (t) => {
    const target = await startTarget(buildFixture('threads.c'));
    t.after(() => stopProcess(target));
    const pid = target.pid!;
    const client = await connect(host.server);
    await attach(client, { host: HOST, pid, mode: 'snapshot' });
    const stop = await nextStop(client, 0);
    assert.equal(stop.body.reason, 'snapshot');
    assert.equal(stop.body.allThreadsStopped, true);
    assert.ok(
      client.output.some((line) => line.startsWith(`Snapshot of ${pid} on ${HOST} (native) by eu-stack: 20 threads`)),
      client.output.join(''),
    );

    const threads = (await client.dap.threadsRequest()).body.threads;
    assert.ok(threads.length >= 20, `${threads.length} threads`);
    assert.deepEqual(
      threads
        .map((th) => th.name)
        .filter((name) => name.startsWith('worker-'))
        .sort(),
      Array.from({ length: 19 }, (_, i) => `worker-${i}`).sort(),
    );
    assert.ok(
      threads.some((th) => th.id === pid && th.name === 'threads'),
      JSON.stringify(threads),
    );

    const mapped = path.join(workspace, 'threads.c');
    for (const thread of threads) {
      const frames = (await client.dap.stackTraceRequest({ threadId: thread.id })).body.stackFrames;
      const names = frames.map((f) => f.name);
      const parked = frames.find((f) => PARKED.has(f.name));
      assert.ok(parked, `thread ${thread.name}: ${names.join(' < ')}`);
      assert.equal(parked.source?.path, mapped, `thread ${thread.name}: ${parked.name} from ${JSON.stringify(parked.source)}`);
      if (thread.name.startsWith('worker-')) assert.ok(names.includes('worker'), `thread ${thread.name}: ${names.join(' < ')}`);
      else assert.ok(names.includes('main'), `thread ${thread.name}: ${names.join(' < ')}`);
    }
    const sleeping = (await client.dap.stackTraceRequest({ threadId: threads.find((th) => th.name === 'worker-0')!.id })).body.stackFrames;
    assert.equal(sleeping.find((f) => f.name === 'parked_in_sleep')?.line, 17);

    await client.dap.disconnectRequest();
    assert.equal(client.terminated, 1);
    await client.dap.stop();
    await assertRunsFreely(pid);
    assert.deepEqual(
      host.events.filter((e) => e.name === 'snapshot.taken' && 'pid' in e && e.pid === pid).map((e) => 'engine' in e && e.engine),
      ['eu-stack'],
    );
  },
);

for (const python of interpreters()) {
  test(
    `CPython ${python.version} (${python.path}): Python frames mapped to the workspace at the executing line; Continue takes a new snapshot`,
    { timeout: 120_000 },
    async (t) => {
      const target = await startPython(python.path);
      t.after(() => target.stop());
      const client = await connect(host.server);
      await attach(client, { host: HOST, pid: target.pid });
      const stop = await nextStop(client, 0);
      assert.equal(stop.body.reason, 'snapshot');
      assert.equal(stop.body.threadId, target.pid, 'the main thread, running application code, is shown first');

      const threads = (await client.dap.threadsRequest()).body.threads;
      assert.deepEqual(
        threads.map((th) => th.name),
        ['MainThread', 'sleeper', 'spinner'],
      );
      const workspaceFile = path.join(workspace, 'target.py');
      const frames = (await client.dap.stackTraceRequest({ threadId: target.pid })).body.stackFrames;
      const top = frames.find((f) => f.presentationHint !== 'subtle');
      assert.deepEqual(
        [top?.name, top?.source?.path, top?.line],
        ['sleep_deep', workspaceFile, targetLine('# main-sleep')],
        JSON.stringify(frames),
      );
      assert.deepEqual(
        frames.slice(1, 3).map((f) => [f.name, f.source?.path, f.line]),
        [
          ['middle', workspaceFile, targetLine('    sleep_deep()')],
          ['outer', workspaceFile, targetLine('    middle()')],
        ],
      );
      const sleeper = (await client.dap.stackTraceRequest({ threadId: target.tids.sleeper })).body.stackFrames;
      assert.deepEqual(
        [sleeper[0]?.name, sleeper[0]?.source?.path, sleeper[0]?.line],
        ['nap', workspaceFile, targetLine('# sleeper-sleep')],
      );

      // Continue: the process never stopped, so it is shown as it is now, a second snapshot.
      await client.dap.continueRequest({ threadId: target.pid });
      const again = await nextStop(client, 1);
      assert.equal(again.body.reason, 'snapshot');
      assert.equal(client.continued.length, 1);
      assert.equal(
        client.output.filter((line) => line.startsWith(`Snapshot of ${target.pid} on ${HOST} (cpython ${python.version}) by python:`))
          .length,
        2,
      );
      const spinner = (await client.dap.stackTraceRequest({ threadId: target.tids.spinner })).body.stackFrames;
      assert.ok(
        spinner.some((f) => f.name === 'spin' && f.source?.path === workspaceFile),
        JSON.stringify(spinner.map((f) => [f.name, f.source?.path, f.line])),
      );
      assert.equal(host.events.filter((e) => e.name === 'snapshot.taken' && 'pid' in e && e.pid === target.pid).length, 2);

      await client.dap.disconnectRequest();
      await client.dap.stop();
      await assertRunsFreely(target.pid);
    },
  );
}
