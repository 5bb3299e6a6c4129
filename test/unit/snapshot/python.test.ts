// The CPython snapshot engine against real interpreters: every version this machine has runs
// target.py (known stacks in named threads, one of them spinning), and the reader must find each
// thread's functions, files and lines without stopping the process.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { IncidentEventMap } from '../../../src/core/events';
import { PythonSnapshotError, pystacksScript, readPythonStacks, type PythonSnapshot } from '../../../src/core/snapshot/python';
import type { SnapshotThread } from '../../../src/core/snapshot/types';
import { interpreters, startTarget, TARGET_SCRIPT, targetLine, type RunningTarget } from '../../fixtures/snapshot/python/targets';
import { LocalRunner } from '../../support/localRunner';
import { tempDir } from '../../support/tempDir';

/** A target for test `t`, stopped when the test ends (its spinning thread takes a CPU). */
async function target(t: TestContext, python: string): Promise<RunningTarget> {
  const started = await startTarget(python);
  t.after(() => started.stop());
  return started;
}

// The machine may be busy: the reader's interpreter start is not what these tests measure.
const timeoutMs = 120_000;

const names = (thread: SnapshotThread) => thread.frames.map((f) => f.function);

function threadNamed(snapshot: PythonSnapshot, name: string): SnapshotThread {
  const thread = snapshot.threads.find((t) => t.name === name);
  assert.ok(thread, `no thread named ${name} in ${JSON.stringify(snapshot.threads.map((t) => t.name))}`);
  return thread;
}

/** The spinner's stack: maybe in step(), always inside spin() called by spinner(). */
function assertSpinnerStack(thread: SnapshotThread): void {
  const frames = thread.frames[0]?.function === 'step' ? thread.frames.slice(1) : thread.frames;
  if (thread.frames[0]?.function === 'step') {
    assert.ok([targetLine('def step('), targetLine('# spinner-step')].includes(thread.frames[0].line!), `step at ${thread.frames[0].line}`);
  }
  assert.deepEqual(
    frames.slice(0, 2).map((f) => f.function),
    ['spin', 'spinner'],
    `spinner stack ${names(thread)}`,
  );
  // the loop's own line, or its `while True:` just above (where the jump back is attributed)
  const loop = targetLine('# spinner-loop');
  assert.ok([loop - 1, loop].includes(frames[0].line!), `spin at ${frames[0].line}`);
  assert.equal(frames[1].line, targetLine('    spin()'));
}

for (const python of interpreters()) {
  test(
    `CPython ${python.version} (${python.path}): every thread's Python stack, innermost first, with files and lines`,
    { timeout: 60_000 },
    async (t) => {
      const { pid, tids } = await target(t, python.path);
      const published: IncidentEventMap['snapshot.taken'][] = [];
      const events = {
        publish: (name: string, _source: string, payload: unknown) =>
          name === 'snapshot.taken' && published.push(payload as IncidentEventMap['snapshot.taken']),
      };
      const snapshot = await readPythonStacks(new LocalRunner('web-1'), pid, { events, timeoutMs });

      assert.equal(snapshot.engine, 'python');
      assert.equal(snapshot.runtime, `cpython ${python.version}`);
      assert.equal(snapshot.pauseMs, 0);
      assert.equal(snapshot.host, 'web-1');
      assert.equal(snapshot.pid, pid);
      assert.deepEqual(
        snapshot.threads.map((t) => t.id),
        [pid, tids.sleeper, tids.spinner].sort((a, b) => a - b),
      );

      const main = threadNamed(snapshot, 'MainThread');
      assert.equal(main.id, pid);
      assert.deepEqual(
        main.frames.map((f) => [f.function, f.file, f.line, f.column, f.app, f.local]),
        [
          ['sleep_deep', TARGET_SCRIPT, targetLine('# main-sleep'), null, true, null],
          ['middle', TARGET_SCRIPT, targetLine('    sleep_deep()'), null, true, null],
          ['outer', TARGET_SCRIPT, targetLine('    middle()'), null, true, null],
          ['<module>', TARGET_SCRIPT, lastLineOf('outer()'), null, true, null],
        ],
      );

      const sleeper = threadNamed(snapshot, 'sleeper');
      assert.equal(sleeper.id, tids.sleeper);
      assert.deepEqual(
        sleeper.frames.slice(0, 2).map((f) => [f.function, f.line]),
        [
          ['nap', targetLine('# sleeper-sleep')],
          ['sleeper', targetLine('    nap()')],
        ],
      );
      // then the threading module's own frames: library code, from the interpreter's threading.py
      const run = sleeper.frames[2];
      assert.match(run.function, /^(Thread\.)?run$/);
      assert.match(run.file ?? '', /\/threading\.py$/);
      assert.equal(run.app, false);
      assert.equal(run.line, lineOf(run.file!, 'self._target(*self._args, **self._kwargs)'));
      assert.match(sleeper.frames.at(-1)!.function, /^(Thread\.)?_bootstrap$/);

      const spinner = threadNamed(snapshot, 'spinner');
      assert.equal(spinner.id, tids.spinner);
      assertSpinnerStack(spinner);

      assert.deepEqual(published, [
        { host: 'web-1', pid, engine: 'python', runtime: `cpython ${python.version}`, threads: 3, pauseMs: 0, wallMs: snapshot.wallMs },
      ]);
    },
  );

  test(
    `CPython ${python.version}: the reader's line tables give the interpreter's own line for every instruction of stdlib modules`,
    { timeout: 120_000 },
    () => {
      const result = JSON.parse(
        execFileSync(
          python.path,
          [join(__dirname, '../../fixtures/snapshot/python/linetables.py'), join(__dirname, '../../../src/core/snapshot/pystacks.py')],
          { encoding: 'utf8' },
        ),
      ) as { checked: number; mismatches: unknown[] };
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.checked > 10_000, `only ${result.checked} instructions checked`);
    },
  );

  test(`CPython ${python.version}: snapshots of a thread that keeps calling functions stay consistent`, { timeout: 120_000 }, async (t) => {
    const { pid } = await target(t, python.path);
    for (let i = 0; i < 5; i++) {
      const snapshot = await readPythonStacks(new LocalRunner(), pid, { timeoutMs });
      assertSpinnerStack(threadNamed(snapshot, 'spinner'));
      assert.deepEqual(names(threadNamed(snapshot, 'MainThread')), ['sleep_deep', 'middle', 'outer', '<module>']);
    }
  });
}

/** The 1-based line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(text)) + 1
  );
}

/** The last line of target.py that is exactly `text`. */
function lastLineOf(text: string): number {
  return readFileSync(TARGET_SCRIPT, 'utf8').split('\n').lastIndexOf(text) + 1;
}

test('the reader never traces the target: no ptrace call, its memory opened read-only', { timeout: 60_000 }, async (t) => {
  const { pid } = await target(t, '/usr/bin/python3');
  const log = join(tempDir(t, 'pystacks-strace'), 'calls.log');
  const traced = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '-e',
      'trace=ptrace,openat,process_vm_writev,pwrite64',
      '-o',
      log,
      '/usr/bin/python3',
      '-I',
      '-S',
      '-B',
      '-',
      String(pid),
    ],
    {
      input: pystacksScript(),
      encoding: 'utf8',
    },
  );
  assert.equal(JSON.parse(traced.stdout).ok, true, traced.stdout + traced.stderr);
  const calls = readFileSync(log, 'utf8');
  assert.doesNotMatch(calls, /\bptrace\(|process_vm_writev\(|pwrite64\(/);
  assert.match(calls, new RegExp(`openat\\(AT_FDCWD, "/proc/${pid}/mem", O_RDONLY(\\|O_CLOEXEC)?\\) = \\d+`));
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  assert.match(status, /^TracerPid:\s+0$/m);
  assert.doesNotMatch(status, /^State:\s+[tT]/m);
});

test('wallMs and takenAt come from the injected clock; pauseMs is 0', { timeout: 60_000 }, async (t) => {
  const { pid } = await target(t, '/usr/bin/python3');
  const times = [1_764_660_000_000, 1_764_660_000_038];
  const clock = { now: () => times.shift()!, setTimeout: () => ({ cancel: () => undefined }) };
  const snapshot = await readPythonStacks(new LocalRunner(), pid, { clock, timeoutMs });
  assert.equal(snapshot.takenAt, 1_764_660_000_000);
  assert.equal(snapshot.wallMs, 38);
  assert.equal(snapshot.pauseMs, 0);
  assert.ok(snapshot.readMs > 0);
});

async function failure(promise: Promise<unknown>): Promise<PythonSnapshotError> {
  const error = await promise.then(
    () => assert.fail('expected a PythonSnapshotError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof PythonSnapshotError, String(error));
  return error;
}

test('a process that is gone: one sentence naming the host and the pid', { timeout: 30_000 }, async () => {
  const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
  const error = await failure(readPythonStacks(new LocalRunner('web-1'), Number(gone)));
  assert.equal(error.kind, 'noProcess');
  assert.equal(error.message, `web-1: process ${gone} does not exist (any more); pick a running process.`);
});

test('a process that is not CPython is named as such, with the engines to use instead', { timeout: 30_000 }, async () => {
  const runner = new LocalRunner('web-1');
  const sleeper = await runner.spawn('exec sleep 60');
  try {
    const pid = Number(execFileSync('sh', ['-c', `pgrep -n -x sleep`], { encoding: 'utf8' }).trim());
    const error = await failure(readPythonStacks(runner, pid));
    assert.equal(error.kind, 'notPython');
    assert.match(
      error.message,
      new RegExp(
        `^web-1: process ${pid} is not a CPython interpreter \\(its program is /usr/bin/sleep\\); use the eu-stack or gdb engine for it\\.$`,
      ),
    );
  } finally {
    sleeper.close();
  }
});

/** Runs every command as nobody, as an ssh login of another user would. */
class NobodyRunner extends LocalRunner {
  override exec(command: string, options?: Parameters<LocalRunner['exec']>[1]) {
    return super.exec(`setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '${command.replace(/'/g, `'\\''`)}'`, options);
  }
}

test("another user's process: the permission problem in one sentence, with what to change", { timeout: 30_000 }, async (t) => {
  const { pid } = await target(t, '/usr/bin/python3');
  for (const python of [undefined, '/usr/bin/python3']) {
    const error = await failure(readPythonStacks(new NobodyRunner('web-1'), pid, { python, timeoutMs }));
    assert.equal(error.kind, 'permission');
    assert.match(
      error.message,
      new RegExp(
        `^web-1: cannot read process ${pid} \\(.+\\); connect as the process's user or as root, and allow ptrace \\(kernel\\.yama\\.ptrace_scope 0 or 1\\)\\.$`,
      ),
    );
  }
});

test('interpreters older than 3.9 are named as unsupported', { timeout: 60_000 }, async (t) => {
  const older = ['3.8.18', '2.7.18'].map((v) => join(homedir(), '.pyenv', 'versions', v, 'bin', 'python')).filter((p) => existsSync(p));
  assert.ok(older.length > 0, 'this machine has no CPython older than 3.9 to try');
  for (const python of older) {
    const runner = new LocalRunner('web-1');
    const sleeping = await runner.spawn(`exec ${python} -c 'import time; time.sleep(60)'`);
    t.after(() => sleeping.close());
    const pid = Number(execFileSync('sh', ['-c', `pgrep -n -f '^${python} -c'`], { encoding: 'utf8' }).trim());
    const error = await failure(readPythonStacks(runner, pid, { timeoutMs }));
    assert.equal(error.kind, 'unsupported', `${python}: ${error.message}`);
    assert.match(
      error.message,
      new RegExp(
        `^web-1: cannot read the Python stacks of process ${pid}: .*(CPython 3\\.8 is not supported \\(3\\.9 to 3\\.13 are\\)|not CPython 3\\.9 to 3\\.13)\\.$`,
      ),
    );
  }
});

test('a deep recursion is cut at 1024 frames per thread, innermost kept', { timeout: 60_000 }, async (t) => {
  const runner = new LocalRunner();
  const program = [
    'import sys, time',
    'sys.setrecursionlimit(5000)',
    'def down(n):',
    '    if n == 0:',
    '        print("ready", flush=True)',
    '        time.sleep(60)',
    '    down(n - 1)',
    'down(3000)',
  ].join('\n');
  const deep = await runner.spawn(`exec /usr/bin/python3 -c '${program}'`);
  t.after(() => deep.close());
  await new Promise((resolve) => deep.stdout.once('data', resolve));
  const pid = Number(execFileSync('sh', ['-c', `pgrep -n -f '^/usr/bin/python3 -c import sys'`], { encoding: 'utf8' }).trim());
  const [main] = (await readPythonStacks(runner, pid, { timeoutMs })).threads;
  assert.equal(main.frames.length, 1024);
  assert.deepEqual([main.frames[0].function, main.frames[0].line], ['down', 6]);
  assert.ok(main.frames.every((f) => f.function === 'down' && f.file === '<string>' && f.app === false));
});

test(
  'a process whose threads start, recurse and end all the time: every snapshot reads, no frame is garbage',
  { timeout: 300_000 },
  async (t) => {
    const script = join(__dirname, '../../fixtures/snapshot/python/churn.py');
    const source = readFileSync(script, 'utf8').split('\n');
    /** Each function of churn.py and the lines its body spans. */
    const bodies = new Map<string, [number, number]>();
    source.forEach((line, i) => {
      const def = /^def (\w+)\(/.exec(line);
      if (def) bodies.set(def[1], [i + 1, i + 1 + source.slice(i + 1).findIndex((l) => /^\S/.test(l))]);
    });
    bodies.set('<module>', [1, source.length]);
    for (const python of interpreters()) {
      const runner = new LocalRunner();
      const churn = await runner.spawn(`exec ${python.path} ${script}`);
      t.after(() => churn.close());
      await new Promise((resolve) => churn.stdout.once('data', resolve));
      const pid = Number(execFileSync('sh', ['-c', `pgrep -n -f '^${python.path} ${script}'`], { encoding: 'utf8' }).trim());
      for (let i = 0; i < 5; i++) {
        const snapshot = await readPythonStacks(runner, pid, { timeoutMs });
        assert.ok(
          snapshot.threads.some((th) => th.id === pid),
          `${python.path}: no main thread`,
        );
        for (const thread of snapshot.threads) {
          for (const frame of thread.frames) {
            if (frame.file === script) {
              const body = bodies.get(frame.function);
              assert.ok(
                body && frame.line! >= body[0] && frame.line! <= body[1],
                `${python.path}: ${frame.function} at line ${frame.line}`,
              );
            } else {
              assert.match(frame.file ?? '', /\/threading\.py$/, `${python.path}: ${frame.function} in ${frame.file}`);
            }
          }
          if (thread.frames.length > 0 && !thread.incomplete) {
            assert.match(
              thread.frames.at(-1)!.function,
              thread.id === pid ? /^<module>$/ : /_bootstrap$/,
              `${python.path}: ${names(thread)}`,
            );
          }
        }
      }
      churn.close();
    }
  },
);

test('an interpreter that answers nothing: a failure naming the host and what the reader said', { timeout: 60_000 }, async (t) => {
  const { pid } = await target(t, '/usr/bin/python3');
  const error = await failure(readPythonStacks(new LocalRunner('web-1'), pid, { python: '/usr/bin/false', timeoutMs }));
  assert.equal(error.kind, 'failed');
  assert.equal(error.message, `web-1: cannot read the Python stacks of process ${pid}: the reader on the host failed (no answer).`);
});
