// eu-stack and gdb snapshots of a real 20-thread C program, the process listing against real
// CPython, Node and native processes, and the guard that never leaves a process stopped.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { EventBus } from '../../../src/core/events';
import { runHostTool } from '../../../src/core/snapshot/hostTool';
import { listProcesses } from '../../../src/core/snapshot/processes';
import { takeSnapshot } from '../../../src/core/snapshot/snapshot';
import type { Snapshot } from '../../../src/core/snapshot/types';
import { LocalRunner } from '../../support/localRunner';
import { waitFor } from '../../support/waitFor';
import { stopProcess } from '../../harness';
import { allThreadsRunning, buildFixture, startTarget, threadStates } from './targets';

function parkedCounts(snapshot: Snapshot): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const thread of snapshot.threads) {
    const parked = thread.frames.find((f) => /^(parked_in_sleep|parked_on_mutex|main_waits)$/.test(f.function));
    if (parked) counts[parked.function] = (counts[parked.function] ?? 0) + 1;
  }
  return counts;
}

describe('native snapshots', () => {
  let target: ChildProcess;
  let pid: number;
  const runner = new LocalRunner('web-1');

  before(async () => {
    target = await startTarget(buildFixture('threads.c'));
    pid = target.pid as number;
  });
  after(() => stopProcess(target));

  for (const engine of ['eu-stack', 'gdb'] as const) {
    test(`${engine}: every thread in its known function, and every thread runs again afterwards`, async () => {
      const bus = new EventBus();
      const events: unknown[] = [];
      bus.on('snapshot.taken', (e) => events.push(e));
      const snapshot = await takeSnapshot(runner, pid, { engine, events: bus });
      assert.equal(snapshot.engine, engine);
      assert.equal(snapshot.runtime, 'native');
      assert.equal(snapshot.threads.length, 20);
      assert.deepEqual(new Set(snapshot.threads.map((t) => t.id)), new Set(threadStates(pid).map((t) => t.tid)));
      assert.deepEqual(parkedCounts(snapshot), { parked_in_sleep: 10, parked_on_mutex: 9, main_waits: 1 });
      assert.deepEqual(snapshot.threads.filter((t) => t.name?.startsWith('worker-')).length, 19);
      const parked = snapshot.threads.flatMap((t) => t.frames).find((f) => f.function === 'parked_in_sleep');
      assert.match(parked?.file ?? '', /threads\.c$/);
      assert.equal(parked?.line, 17);
      assert.ok(snapshot.pauseMs > 0, 'a stopping engine reports the time it held the process');
      assert.ok(allThreadsRunning(pid), JSON.stringify(threadStates(pid)));
      assert.equal(events.length, 1);
      assert.deepEqual(Object.keys(events[0] as object).sort(), [
        'at',
        'engine',
        'host',
        'name',
        'pauseMs',
        'pid',
        'runtime',
        'source',
        'threads',
        'wallMs',
      ]);
      if (engine === 'gdb') assert.match(snapshot.warnings?.[0] ?? '', /gdb stopped every thread of process \d+ for \d+ ms/);
    });
  }

  test('auto picks eu-stack for native code', async () => {
    const snapshot = await takeSnapshot(runner, pid);
    assert.equal(snapshot.engine, 'eu-stack');
    assert.equal(snapshot.warnings, undefined);
  });

  test('an engine the host does not have says what to install', async () => {
    // py-spy is not installed on these machines.
    await assert.rejects(
      takeSnapshot(runner, pid, { engine: 'py-spy' }),
      /^HostToolError: web-1: py-spy is not installed; install it \(or pick another engine\)/,
    );
  });

  test('a process that is gone is named in the error', async () => {
    await assert.rejects(takeSnapshot(runner, 2 ** 22 + 1), /web-1: there is no process 4194305/);
  });

  test('a tool that leaves the process stopped: the host script continues it', async () => {
    const run = await runHostTool(runner, pid, { tool: 'kill', command: () => 'kill -STOP "$pid"', timeoutSeconds: 5 });
    assert.ok(run.continued > 0);
    await waitFor('the target to run again', () => allThreadsRunning(pid));
  });

  test('a process stopped before the snapshot is left as it was', async (t) => {
    process.kill(pid, 'SIGSTOP');
    t.after(() => process.kill(pid, 'SIGCONT'));
    await waitFor('the target to stop', () => threadStates(pid).every((s) => s.state === 'T'));
    const run = await runHostTool(runner, pid, { tool: 'true', command: () => 'true', timeoutSeconds: 5 });
    assert.equal(run.continued, 0);
    assert.ok(threadStates(pid).every((s) => s.state === 'T'));
  });
});

describe('gdb on CPython without matching debug symbols', () => {
  const runner = new LocalRunner('web-1');

  // Debian's python3.11 has no debug symbols here; pyenv's 3.13 has them in the binary, but its
  // python-gdb script is outside gdb's safe path, so py-bt is not defined: native frames only.
  for (const python of ['/usr/bin/python3', '/root/.pyenv/versions/3.13.0/bin/python3.13']) {
    test(`${python}: no py-bt, the interpreter's native frames`, async (t) => {
      const target = await startTarget(python, ['-c', 'import time\nprint("ready", flush=True)\ntime.sleep(600)']);
      t.after(() => stopProcess(target));
      const snapshot = await takeSnapshot(runner, target.pid as number, { engine: 'gdb' });
      const frames = snapshot.threads[0].frames;
      assert.ok(
        frames.some((f) => /clock_nanosleep|select|pysleep/.test(f.function)),
        frames.map((f) => f.function).join(' '),
      );
      assert.ok(frames.every((f) => f.file === null || !f.file.endsWith('.py')));
      assert.ok(allThreadsRunning(target.pid as number));
    });
  }
});

describe('process listing', () => {
  const runner = new LocalRunner('web-1');
  const started: ChildProcess[] = [];
  after(() => Promise.all(started.map((c) => stopProcess(c))));

  test('detects CPython with its version, Node and native code among the real processes, busiest first', async () => {
    const python = await startTarget('/usr/bin/python3', ['-c', 'import time; print("ready", flush=True); time.sleep(600)']);
    const node = await startTarget(process.execPath, ['-e', 'console.log("ready"); setTimeout(() => {}, 600000)']);
    const native = await startTarget(buildFixture('threads.c'));
    started.push(python, node, native);
    const processes = await listProcesses(runner);
    const byPid = new Map(processes.map((p) => [p.pid, p]));
    assert.equal(byPid.get(python.pid as number)?.runtimeLabel, 'cpython 3.11');
    assert.equal(byPid.get(node.pid as number)?.runtimeLabel, 'node');
    const c = byPid.get(native.pid as number);
    assert.equal(c?.runtimeLabel, 'native');
    assert.equal(c?.threads, 20);
    assert.equal(c?.user, 'root');
    assert.ok((c?.rssBytes ?? 0) > 0 && (c?.ageSeconds ?? -1) >= 0);
    assert.match(c?.command ?? '', /threads$/);
    for (let i = 1; i < processes.length; i++) assert.ok(processes[i - 1].cpuPercent >= processes[i].cpuPercent);
  });
});
