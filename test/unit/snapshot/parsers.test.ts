// The engines' output parsers against real output: eu-stack and gdb run on the 20-thread fixture
// program (test/fixtures/snapshot/threads.c), and py-spy dumps published in public issue threads
// (sgl-project/sglang, kovidgoyal/kitty reports, benfred/py-spy#567), assembled in one file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseEuStack } from '../../../src/core/snapshot/euStack';
import { parseGdbBacktraces } from '../../../src/core/snapshot/gdb';
import { isApplicationModule, parseExecutableMappings } from '../../../src/core/snapshot/nativeFrames';
import { parsePySpyDump } from '../../../src/core/snapshot/pySpy';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../../fixtures/snapshot', name), 'utf8');

function parkedFunctions(threads: { frames: { function: string }[] }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of threads) {
    const parked = t.frames.find((f) => /^(parked_in_sleep|parked_on_mutex|main_waits)$/.test(f.function));
    if (parked) counts.set(parked.function, (counts.get(parked.function) ?? 0) + 1);
  }
  return counts;
}

describe('eu-stack output', () => {
  // `eu-stack -q -b -m` (addresses while the threads are held), then `eu-addr2line -p -a -f -i -C`
  // on the distinct addresses (names and lines afterwards), as the engine's host commands run them.
  const unwound = fixture('eu-stack-threads.txt');
  const { threads, errors } = parseEuStack(unwound + fixture('eu-addr2line-threads.txt'), unwound.length);

  test('every thread with its frames, innermost first, source lines from the debug info', () => {
    assert.equal(threads.length, 20);
    assert.deepEqual(errors, []);
    assert.deepEqual(Object.fromEntries(parkedFunctions(threads)), { parked_in_sleep: 10, parked_on_mutex: 9, main_waits: 1 });
    const main = threads[0];
    assert.equal(main.frames[0].function, '__libc_pause');
    const waits = main.frames.find((f) => f.function === 'main_waits');
    assert.match(waits?.file ?? '', /threads\.c$/);
    assert.equal(waits?.line, 36);
    assert.equal(waits?.column, null);
    assert.equal(waits?.local, null);
  });

  test("application frames are the program's; libc frames are not", () => {
    const frames = threads.flatMap((t) => t.frames);
    assert.ok(frames.filter((f) => /^(parked_|worker$|main)/.test(f.function)).every((f) => f.app));
    assert.ok(frames.filter((f) => /clock_nanosleep|lll_lock_wait|start_thread|clone3/.test(f.function)).every((f) => !f.app));
  });

  test('a frame that could not be named keeps its address and module', () => {
    const unwoundText =
      'TID 7:\n#0  0x000055a88e4b23f2 - /usr/bin/bash\n    [aa]@0x55a88e400000+0xb23f2\n#1  0x00007f0000001000\neu-stack: dwfl_thread_getframes tid 7 at 0x7f0000001000 in <unknown>: No DWARF information found\n';
    const {
      threads: [thread],
      errors: complaints,
    } = parseEuStack(`${unwoundText}0x000055a88e4b23f2\n??\n??:0\n`, unwoundText.length);
    assert.deepEqual(
      thread.frames.map((f) => [f.function, f.file, f.line]),
      [
        ['0x55a88e4b23f2', '/usr/bin/bash', null],
        ['0x7f0000001000', null, null],
      ],
    );
    assert.equal(complaints.length, 1);
  });
});

describe('gdb output', () => {
  const { threads } = parseGdbBacktraces(fixture('gdb-threads.txt'), parseExecutableMappings(fixture('gdb-threads.maps')));

  test('every thread with its LWP id and name', () => {
    assert.equal(threads.length, 20);
    assert.deepEqual(Object.fromEntries(parkedFunctions(threads)), { parked_in_sleep: 10, parked_on_mutex: 9, main_waits: 1 });
    assert.ok(threads.filter((t) => t.name?.startsWith('worker-')).length === 19);
    assert.ok(threads.every((t) => Number.isInteger(t.id) && t.id > 0));
  });

  test('frames carry file and line; libc is not the application, the program is', () => {
    const frames = threads.flatMap((t) => t.frames);
    const parked = frames.find((f) => f.function === 'parked_on_mutex');
    assert.match(parked?.file ?? '', /threads\.c$/);
    assert.equal(parked?.line, 22);
    assert.ok(parked?.app);
    assert.ok(frames.filter((f) => /clock_nanosleep|lll_lock_wait/.test(f.function)).every((f) => !f.app));
  });
});

describe('gdb with python-gdb', () => {
  // A real run on pyenv's CPython 3.13 (debug info in the binary): `thread apply all bt`, then
  // `thread apply all py-bt` after the mark the engine prints (here an `echo @@PYBT`).
  const text = fixture('gdb-py-bt-3.13.txt');
  const offset = text.indexOf('@@PYBT\n') + '@@PYBT\n'.length;

  test("Python frames replace the interpreter's C frames of each thread that runs Python code", () => {
    const { threads } = parseGdbBacktraces(text, [], offset);
    assert.equal(threads.length, 2);
    const [sleeper, main] = threads;
    assert.deepEqual(
      sleeper.frames.slice(0, 2).map((f) => [f.function, f.file, f.line, f.app]),
      [
        ['parked', '/tmp/eng/pyt.py', 2, true],
        ['outer', '/tmp/eng/pyt.py', 3, true],
      ],
    );
    assert.ok(sleeper.frames.slice(2).every((f) => f.file?.endsWith('/threading.py') && !f.app));
    assert.deepEqual(
      main.frames.map((f) => `${f.function}:${f.line}`),
      ['busy:6', '<module>:7'],
    );
  });

  test('without the mark the same output gives the native frames only', () => {
    const { threads } = parseGdbBacktraces(text.slice(0, offset), []);
    assert.ok(threads[1].frames.some((f) => f.function === 'builtin_sum_impl'));
    assert.ok(threads.every((t) => t.frames.every((f) => f.file !== '/tmp/eng/pyt.py')));
  });
});

describe('py-spy dump text', () => {
  const { threads, pythonVersion } = parsePySpyDump(fixture('py-spy-dump.txt'));

  test('threads with their names, native ids, and frames innermost first', () => {
    assert.equal(pythonVersion, '3.12.3');
    assert.deepEqual(
      threads.map((t) => [t.id, t.name, t.frames.length]),
      [
        [165, 'MainThread', 8],
        [371, 'Thread-1 (_read_thread)', 5],
        [35871, 'af-pool-ffn0-serve', 3],
        [0, 'ThreadPoolExecutor-275_6', 0],
        [2981, 'tokenspeed::forward', 0],
        [59731, 'MainThread', 5],
      ],
    );
    assert.deepEqual(threads[0].frames[0], {
      function: 'recv_pyobj',
      file: 'zmq/sugar/socket.py',
      line: 989,
      column: null,
      app: true,
      local: null,
    });
  });

  test('native and frozen frames are not the application', () => {
    const kitty = threads[5].frames;
    assert.deepEqual(
      kitty.map((f) => [f.function, f.file, f.line, f.app]),
      [
        ['ppoll', 'libc.so.6', null, false],
        ['glfwRunMainLoop', 'kitty/glfw-x11.so', null, false],
        ['_run_app', 'kitty/main.py', 234, true],
        ['<module>', '__main__.py', 7, true],
        ['_run_code', '<frozen runpy>', 88, false],
      ],
    );
    assert.deepEqual(threads[2].frames[0], {
      function: 'pthread_cond_timedwait',
      file: null,
      line: null,
      column: null,
      app: false,
      local: null,
    });
  });
});

test('modules of the C library, loaders and runtimes are not application modules', () => {
  for (const m of [
    '/usr/lib/x86_64-linux-gnu/libc.so.6',
    '/lib64/ld-linux-x86-64.so.2',
    '/usr/bin/python3.11',
    '/opt/py/lib/libpython3.12.so.1.0',
    '/usr/bin/node',
  ]) {
    assert.equal(isApplicationModule(m), false, m);
  }
  for (const m of ['/srv/app/bin/server', '/usr/sbin/nginx', '/opt/app/lib/libcheckout.so']) assert.equal(isApplicationModule(m), true, m);
});
