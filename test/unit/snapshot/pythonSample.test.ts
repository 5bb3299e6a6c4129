// The CPython engine's host-side sampling run against real interpreters: every version this
// machine has runs target.py (one thread spinning in spin(), the main thread and "sleeper"
// sleeping). The spinning function must dominate the profile, idle threads must be left out
// unless asked for, and the run must end as soon as its stdin ends. Shares only, never counts or
// rates: the machine's speed decides how many ticks a run gets.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import { pystacksScript } from '../../../src/core/snapshot/python';
import { parseSampleAnswer, pythonSampleCommand, samplePythonStacks, type PythonSampleRun } from '../../../src/core/snapshot/pythonSample';
import { sampleProcess } from '../../../src/core/snapshot/sample';
import { interpreters, startTarget, type RunningTarget } from '../../fixtures/snapshot/python/targets';
import { LocalRunner } from '../../support/localRunner';

async function target(t: TestContext, python: string): Promise<RunningTarget> {
  const started = await startTarget(python);
  t.after(() => started.stop());
  return started;
}

const has = (stack: PythonSampleRun['stacks'][number], fn: string) => stack.frames.some((f) => f.function === fn);

function sightings(run: PythonSampleRun, fn: string): number {
  return run.stacks.filter((s) => has(s, fn)).reduce((sum, s) => sum + s.count, 0);
}

for (const python of interpreters()) {
  test(
    `CPython ${python.version} (${python.path}): a host-side sampling run finds the spinning function and leaves the sleeping threads out`,
    { timeout: 120_000 },
    async (t) => {
      const { pid } = await target(t, python.path);
      const run = await samplePythonStacks(new LocalRunner('web-1'), pid, { seconds: 1, hz: 100, python: python.path });

      assert.equal(run.runtime, `cpython ${python.version}`);
      assert.equal(run.ended, 'deadline');
      assert.ok(run.samples > 0, 'at least one tick');
      const spinning = sightings(run, 'spin');
      assert.ok(spinning > 0, `spin() in no stack: ${JSON.stringify(run.stacks.map((s) => s.frames.map((f) => f.function)))}`);
      // every stack seen holds spin() (the only running thread), and its innermost frames are the target's
      assert.equal(run.otherStacks, 0);
      assert.equal(
        spinning,
        run.stacks.reduce((sum, s) => sum + s.count, 0),
      );
      for (const stack of run.stacks)
        assert.ok(['spin', 'step'].includes(stack.frames[0].function), `innermost ${stack.frames[0].function}`);
      assert.equal(sightings(run, 'nap') + sightings(run, 'sleep_deep'), 0, 'a sleeping thread was counted');
      assert.ok(run.idleStacks > 0, 'the sleeping threads were seen and counted as idle');
    },
  );

  test(`CPython ${python.version}: idle: true keeps the sleeping threads, each seen at every tick`, { timeout: 120_000 }, async (t) => {
    const { pid } = await target(t, python.path);
    const run = await samplePythonStacks(new LocalRunner('web-1'), pid, { seconds: 1, hz: 100, idle: true, python: python.path });

    assert.equal(run.idleStacks, 0);
    const naps = sightings(run, 'nap');
    const sleeps = sightings(run, 'sleep_deep');
    assert.ok(naps > 0 && sleeps > 0, 'both sleeping threads are in the profile');
    // a sleeping thread's stack does not change under the read: it is seen at every tick
    assert.equal(naps, run.samples);
    assert.equal(sleeps, run.samples);
    assert.ok(sightings(run, 'spin') > 0);
  });
}

test('the sampling run ends at once when its stdin ends, and answers with what it has', { timeout: 120_000 }, async (t) => {
  const { pid } = await target(t, '/usr/bin/python3');
  const script = Buffer.from(pystacksScript('sample'));
  // an hour-long run: only the end of stdin can end it within the test's time
  const remote = await new LocalRunner('web-1').spawn(pythonSampleCommand(pid, script.length, { seconds: 3600, hz: 100 }));
  t.after(() => remote.close());
  const chunks: Buffer[] = [];
  remote.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  remote.stdin.write(script);
  remote.stdin.end();
  const exit = await remote.exit;

  assert.equal(exit.exitCode, 0);
  const run = parseSampleAnswer('web-1', pid, Buffer.concat(chunks).toString(), '');
  assert.equal(run.ended, 'stopped');
});

test('an aborted sampleProcess stops the host loop at once and returns the profile so far', { timeout: 120_000 }, async (t) => {
  const { pid } = await target(t, '/usr/bin/python3');
  const runner = new LocalRunner('web-1');
  const controller = new AbortController();
  const sampling = sampleProcess(runner, pid, { seconds: 3600, hz: 100, signal: controller.signal });
  // abort once the host-side run is under way (its command is running)
  while (runner.running === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort();
  const result = await sampling;

  assert.equal(result.engine, 'python');
  assert.equal(result.runtime, 'cpython 3.11');
  assert.equal(runner.running, 0, 'the host-side command is gone');
  assert.equal(runner.commands.length, 1, 'one command');
});

test(
  'a process that is not CPython is sampled by repeated eu-stack snapshots after the reader says so',
  { timeout: 120_000 },
  async (t) => {
    const native = spawn('sleep', ['600'], { stdio: 'ignore' });
    t.after(() => native.kill('SIGKILL'));
    const runner = new LocalRunner('web-1');
    const result = await sampleProcess(runner, native.pid!, { seconds: 0.1, hz: 10 });

    assert.equal(result.engine, 'eu-stack');
    assert.ok(result.profile.samples > 0);
    assert.match(runner.commands[0], /sample 0\.1 10 /, 'the CPython reader was asked first');
  },
);
