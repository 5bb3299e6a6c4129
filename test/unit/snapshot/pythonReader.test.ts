// The kept CPython reader (pystacks.py `serve`): the parts of the script a mode sends, its line
// protocol, its hand-written JSON, and real readers on a local target whose stacks change
// between snapshots: fresh answers each time, OS thread names, and no reader left afterwards.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { pystacksScript, scriptPartsOf } from '../../../src/core/snapshot/python';
import { LineSplitter, PythonStacksReader, pythonServeCommand } from '../../../src/core/snapshot/pythonReader';
import { PythonSnapshotError } from '../../../src/core/snapshot/python';
import type { SnapshotThread } from '../../../src/core/snapshot/types';
import {
  interpreters,
  readersOf,
  startStepper,
  STEPPER_SCRIPT,
  stepperLine,
  until,
  type RunningStepper,
} from '../../fixtures/snapshot/python/targets';
import { LocalRunner } from '../../support/localRunner';

const PYSTACKS = join(__dirname, '../../../src/core/snapshot/pystacks.py');

async function stepper(t: TestContext, python = '/usr/bin/python3'): Promise<RunningStepper> {
  const started = await startStepper(python);
  t.after(() => started.stop());
  return started;
}

const mainStack = (threads: SnapshotThread[], pid: number) =>
  threads.find((t) => t.id === pid)?.frames.map((f) => [f.function, f.file === STEPPER_SCRIPT ? 'stepper.py' : f.file, f.line]);

test('a snapshot sends the script without its sampling part; a sampling run sends all of it', () => {
  const source = readFileSync(PYSTACKS, 'utf8');
  assert.deepEqual(
    scriptPartsOf(source).map((p) => p.name),
    ['core', 'sample', 'main'],
  );
  const snapshot = pystacksScript();
  assert.doesNotMatch(snapshot, /^# @@part sample$/m);
  assert.doesNotMatch(snapshot, /^import (json|re|threading)\b/m, 'no costly import at the top');
  assert.match(snapshot, /^# @@part main$/m);
  assert.equal(pystacksScript('sample'), source.slice(source.indexOf('# @@part core')));
});

test('LineSplitter: lines across chunks, several in one chunk, and a line over the bound ends it', () => {
  const lines: string[] = [];
  let overflows = 0;
  const splitter = new LineSplitter(
    (line) => lines.push(line),
    () => overflows++,
    10,
  );
  splitter.push(Buffer.from('{"a":'));
  splitter.push(Buffer.from('1}\n{"b":2}\n{"c"'));
  splitter.push(Buffer.from(':3}\n'));
  splitter.push(Buffer.from('é\n'));
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}', 'é']);
  splitter.push(Buffer.from('0123456789ab'));
  splitter.push(Buffer.from('\n{"d":4}\n'));
  assert.equal(overflows, 1);
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}', 'é'], 'nothing after an overflow');
});

test('the serve command boots the script from stdin under the isolated interpreter flags', () => {
  const command = pythonServeCommand(4242, 31000, { idleSeconds: 60 });
  assert.match(command, /exec "\$exe" -I -S -B -c '.*' 4242 serve 60$/s);
  assert.match(command, /while len\(b\) < 31000:/);
});

for (const python of interpreters()) {
  test(`CPython ${python.version}: the reader's own JSON and version parsing agree with json`, () => {
    const check = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location('pystacks', sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
values = [None, True, False, 0, -7, 2 ** 70, 1.5, 0.1, '', 'plain', 'quote " back \\\\ slash', 'ctl \\x00\\x01\\x1f\\n\\t\\x7f',
          'é ü 中 \\U0001f600', '\\u2028', {'k': [1, {'n': None}], 'é': 'x'}, [[], {}]]
for v in values:
    assert json.loads(m.dumps(v)) == v, (v, m.dumps(v))
assert m.version_in_name('/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0') == (3, 11, None)
assert m.version_in_name('/root/.pyenv/versions/3.9.18/bin/python3.9') == (3, 9, None)
assert m.version_in_name('/opt/python/bin/python3') is None
assert m.version_in_name('/usr/bin/python3.13t') == (3, 13, None)
print('ok')
`;
    const run = spawnSync(python.path, ['-I', '-S', '-B', '-c', check, PYSTACKS], { encoding: 'utf8' });
    assert.equal(run.stdout.trim(), 'ok', run.stderr);
  });
}

test('the serving reader answers each request with the stacks as they are now, and names threads', { timeout: 60_000 }, async (t) => {
  const target = await stepper(t);
  const runner = new LocalRunner();
  const reader = await PythonStacksReader.start(runner, target.pid);
  t.after(() => reader.close());
  const first = await reader.snapshot({ timeoutMs: 30_000 });
  assert.equal(first.runtime.startsWith('cpython 3.'), true);
  assert.deepEqual(mainStack(first.threads, target.pid), [
    ['wait_for_line', 'stepper.py', stepperLine('if not sys.stdin.readline()')],
    ['phase_one', 'stepper.py', stepperLine('# phase-one-wait')],
    ['<module>', 'stepper.py', readFileSync(STEPPER_SCRIPT, 'utf8').split('\n').lastIndexOf('phase_one()') + 1],
  ]);
  assert.deepEqual(
    first.threads.map((th) => th.name),
    ['MainThread'],
  );
  await target.step();
  const second = await reader.snapshot({ timeoutMs: 30_000 });
  assert.deepEqual(mainStack(second.threads, target.pid)?.slice(0, 3), [
    ['wait_for_line', 'stepper.py', stepperLine('if not sys.stdin.readline()')],
    ['phase_two', 'stepper.py', stepperLine('# phase-two-wait')],
    ['phase_one', 'stepper.py', stepperLine('    phase_two()')],
  ]);
  const { late } = await target.step();
  const third = await reader.snapshot({ timeoutMs: 30_000 });
  assert.equal(mainStack(third.threads, target.pid)?.[1][0], 'phase_three');
  const lateThread = third.threads.find((th) => th.id === late);
  assert.ok(lateThread, `the thread started since is there: ${JSON.stringify(third.threads.map((th) => th.id))}`);
  assert.deepEqual(
    lateThread.frames.map((f) => f.function),
    ['late', 'Thread.run', 'Thread._bootstrap_inner', 'Thread._bootstrap'].slice(0, lateThread.frames.length),
  );
  // a thread that set no name of its own has the program's: the kernel's comm, as for every engine
  assert.equal(lateThread.name, readFileSync(`/proc/${target.pid}/task/${late}/comm`, 'utf8').trim());
  assert.equal(runner.commands.length, 1, 'one command for all three snapshots');
});

test('the reader exits when its stdin ends, and close() leaves no reader process', { timeout: 60_000 }, async (t) => {
  const target = await stepper(t);
  const script = Buffer.from(pystacksScript());
  // stdin's end alone (no signal, no channel close): the reader exits by itself, status 0
  const child = spawn('sh', ['-c', pythonServeCommand(target.pid, script.length)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  const answered = new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
  child.stdin.write(script);
  child.stdin.write('snapshot\n');
  assert.match(await answered, /^\{"ok":true/);
  child.stdin.end();
  assert.deepEqual(await exited, [0, null]);

  const runner = new LocalRunner();
  const reader = await PythonStacksReader.start(runner, target.pid);
  await reader.snapshot({ timeoutMs: 30_000 });
  assert.equal(readersOf(target.pid).length, 1);
  reader.close();
  await reader.ended;
  assert.equal(reader.alive, false);
  await until(() => readersOf(target.pid).length === 0 && runner.running === 0);
  await assert.rejects(reader.snapshot(), /has ended; start a new one/);
});

test('a reader idle past its limit ends itself on the host', { timeout: 60_000 }, async (t) => {
  const target = await stepper(t);
  const reader = await PythonStacksReader.start(new LocalRunner(), target.pid, { idleSeconds: 1 });
  t.after(() => reader.close());
  await reader.ended;
  assert.equal(reader.alive, false);
  assert.deepEqual(readersOf(target.pid), []);
});

test('a reader of a process that is not a python answers notPython', { timeout: 60_000 }, async (t) => {
  // not `sleep`: another test looks for the newest sleep process on the machine
  const other = spawn('tail', ['-f', '/dev/null']);
  t.after(() => other.kill('SIGKILL'));
  const reader = await PythonStacksReader.start(new LocalRunner(), other.pid!);
  t.after(() => reader.close());
  const error = await reader.snapshot({ timeoutMs: 30_000 }).then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof PythonSnapshotError);
  assert.equal(error.kind, 'notPython');
});
