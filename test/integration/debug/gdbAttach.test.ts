// Interactive attach with real gdb over a real sshd (through the fault proxy) to a C program
// compiled here: preflight, threads, stack, breakpoints (line, conditional, hit count, function,
// logpoint), variables, evaluate, pause/continue, stepping, detach. After every session the
// target's threads all run with no tracer.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { createGdbRuntime } from '../../../src/core/debug/gdb';
import type { GdbRuntime } from '../../../src/core/debug/gdb/gdbRuntime';
import type { RuntimeOutput, RuntimeStop } from '../../../src/core/debug/runtime';
import { EventBus, type IncidentEvent } from '../../../src/core/events';
import type { SshPool } from '../../../src/core/ssh/pool';
import {
  generateKey,
  makeTempDir,
  startFaultProxy,
  startSshHost,
  viaProxy,
  writeSshConfig,
  type FaultProxy,
  type SshHost,
} from '../../harness';
import { poolFor, waitFor } from '../ssh/support';
import {
  compileTarget,
  describeTasks,
  markerLine,
  runsFreely,
  startTarget,
  taskTracedButRunning,
  TARGET_SOURCE,
  type Target,
} from './gdbSupport';

const TIMEOUT = 60_000;
let web: SshHost;
let restricted: SshHost;
let proxy: FaultProxy;
let pool: SshPool;
let target: Target;

before(async () => {
  const dir = makeTempDir('gdb-test');
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] });
  // Sessions on this host run as nobody: a root-owned target is someone else's process there.
  restricted = await startSshHost({
    name: 'ro-1',
    authorizedKeys: [userKey.publicKey],
    extraConfig: ['ForceCommand exec runuser -u nobody -- sh -c "$SSH_ORIGINAL_COMMAND"'],
  });
  proxy = await startFaultProxy({ target: web });
  const { configFile } = writeSshConfig({
    dir,
    entries: [
      { host: viaProxy(web, proxy), identityFiles: [userKey.privateKeyPath] },
      { host: restricted, identityFiles: [userKey.privateKeyPath] },
    ],
  });
  pool = poolFor(configFile);
  target = await startTarget(compileTarget(dir));
});

/** Every runtime a test made: detached after it, also when it failed half-way. */
const live: GdbRuntime[] = [];
afterEach(async () => {
  await Promise.all(live.splice(0).map((runtime) => runtime.detach()));
});

after(async () => {
  pool.dispose();
  await target.stop();
  await Promise.all([web.stop(), restricted.stop(), proxy.stop()]);
});

/** A runtime with its stops, output and incident events recorded. */
async function attach(host = 'web-1', pid = target.pid) {
  const bus = new EventBus();
  const events: IncidentEvent[] = [];
  bus.onAny((event) => events.push(event));
  const runtime = await createGdbRuntime(await pool.connect(host), { host, pid, events: bus, heartbeatMs: 500 });
  live.push(runtime);
  const stops: RuntimeStop[] = [];
  const output: RuntimeOutput[] = [];
  const ends: string[] = [];
  runtime.onDidStop((stop) => stops.push(stop));
  runtime.onDidOutput((out) => output.push(out));
  runtime.onDidEnd(({ reason }) => ends.push(reason));
  return { runtime, stops, output, events, ends };
}

async function nextStop(stops: RuntimeStop[], seen: number): Promise<RuntimeStop> {
  await waitFor('a stop', () => stops.length > seen, 20_000);
  return stops[seen]!;
}

async function topFrame(runtime: GdbRuntime, threadId: number) {
  const { frames, total } = await runtime.stack(threadId, 0, 20);
  assert.ok(total >= frames.length && frames.length > 0);
  return { frame: frames[0]!, frames };
}

async function scope(runtime: GdbRuntime, frameId: number, name: string) {
  const scopes = await runtime.scopes(frameId);
  const found = scopes.find((s) => s.name === name);
  assert.ok(found, `no ${name} scope in ${scopes.map((s) => s.name).join(', ')}`);
  return runtime.variables(found.reference);
}

async function assertRunsFreely(pid: number): Promise<void> {
  await waitFor(`every thread of ${pid} to run untraced`, () => runsFreely(pid), 20_000).catch((error: Error) => {
    throw new Error(`${error.message}: ${describeTasks(pid)}`);
  });
}

test(
  "preflight: a missing process and another user's process fail before anything stops, naming the host and what to change",
  { timeout: TIMEOUT },
  async () => {
    await assert.rejects(
      createGdbRuntime(await pool.connect('web-1'), { host: 'web-1', pid: 999_999_999 }),
      /^Error: Process 999999999 does not exist on web-1: pick a running process/,
    );
    await assert.rejects(
      createGdbRuntime(await pool.connect('ro-1'), { host: 'ro-1', pid: target.pid }),
      new RegExp(`^Error: Process ${target.pid} on ro-1 runs as uid 0 but you log in as nobody \\(uid \\d+\\): turn on "sudo"`),
    );
    // nobody has no passwordless sudo (or the host has no sudo at all): refused before any prompt.
    await assert.rejects(
      createGdbRuntime(await pool.connect('ro-1'), { host: 'ro-1', pid: target.pid, sudo: true }),
      /^Error: (sudo on ro-1 asks nobody for a password \(sudo -n failed\)|sudo is not installed on ro-1): /,
    );
    assert.ok(runsFreely(target.pid));
  },
);

test(
  'attach, threads, a conditional line breakpoint with locals, arguments, registers and evaluate, stepping, then detach',
  { timeout: TIMEOUT },
  async () => {
    const { runtime, stops, events, ends } = await attach();
    // The process runs on after the attach.
    await waitFor('the process to run under gdb', () => taskTracedButRunning(target.pid), 20_000);
    const threads = await runtime.threads();
    assert.equal(threads.length, 4);
    assert.deepEqual(
      threads
        .filter((t) => t.name.startsWith('worker-'))
        .map((t) => t.name.replace(/ \(LWP \d+\)$/, ''))
        .sort(),
      ['worker-1', 'worker-2', 'worker-3'],
    );

    const line = markerLine('BREAK-COST');
    const placed = await runtime.setBreakpoints(TARGET_SOURCE, [{ line, condition: 'quantity == 2' }]);
    assert.equal(placed.length, 1);
    assert.equal(placed[0]!.verified, true);
    assert.equal(placed[0]!.line, line);
    const stop = await nextStop(stops, 0);
    assert.equal(stop.reason, 'breakpoint');
    assert.deepEqual(stop.hitBreakpointIds, [placed[0]!.id]);
    assert.ok(stop.threadId);
    assert.ok(!runsFreely(target.pid));

    const { frame, frames } = await topFrame(runtime, stop.threadId!);
    assert.equal(frame.function, 'price');
    assert.equal(frame.file, TARGET_SOURCE);
    assert.equal(frame.line, line);
    assert.equal(frame.app, true);
    assert.equal(frames[1]!.function, 'worker');
    const args = await scope(runtime, frame.id, 'Arguments');
    assert.deepEqual(
      args.map((v) => [v.name, v.type]),
      [
        ['quantity', 'int'],
        ['round', 'int'],
      ],
    );
    assert.equal(args[0]!.value, '2');
    const locals = await scope(runtime, frame.id, 'Locals');
    assert.deepEqual(
      locals.map((v) => v.name),
      ['item', 'cost'],
    );
    const item = locals[0]!;
    assert.equal(item.type, 'struct order');
    assert.ok(item.reference > 0);
    const fields = await runtime.variables(item.reference);
    assert.deepEqual(
      fields.map((v) => v.name),
      ['id', 'amount', 'label'],
    );
    const registers = await scope(runtime, frame.id, 'Registers');
    assert.match(registers.find((r) => r.name === 'rip')?.value ?? '', /^0x[0-9a-f]+$/);

    assert.equal((await runtime.evaluate('quantity * 10', frame.id)).value, '20');
    assert.match((await runtime.evaluate('greeting', frame.id)).value, /"h\u00e9llo \\"quoted\\"\\n\\ttab"$/);
    await assert.rejects(runtime.evaluate('no_such_symbol', frame.id), /No symbol "no_such_symbol" in current context/);

    // Stepping: next goes to the following line; finish returns to the caller.
    await runtime.setBreakpoints(TARGET_SOURCE, []);
    await runtime.next(stop.threadId!);
    const stepped = await nextStop(stops, 1);
    assert.equal(stepped.reason, 'step');
    assert.equal((await topFrame(runtime, stepped.threadId!)).frame.line, markerLine('AFTER-COST'));
    await runtime.stepOut(stepped.threadId!);
    const out = await nextStop(stops, 2);
    assert.equal(out.reason, 'step');
    assert.equal((await topFrame(runtime, out.threadId!)).frame.function, 'worker');

    await runtime.detach();
    await runtime.detach(); // twice is safe
    assert.deepEqual(ends, ['detached']);
    await assertRunsFreely(target.pid);
    const names = events.map((e) => e.name);
    assert.deepEqual(
      names.filter((n) => n.startsWith('debug.')),
      ['debug.attached', 'debug.paused', 'debug.continued', 'debug.paused', 'debug.continued', 'debug.paused', 'debug.detached'],
    );
    assert.deepEqual(
      events
        .filter((e) => e.name === 'debug.attached' || e.name === 'debug.detached')
        .map((e) => [e.name, 'host' in e && e.host, 'pid' in e && e.pid]),
      [
        ['debug.attached', 'web-1', target.pid],
        ['debug.detached', 'web-1', target.pid],
      ],
    );
  },
);

test('pause and continue, a hit count, a function breakpoint and a logpoint', { timeout: TIMEOUT }, async () => {
  const { runtime, stops, output } = await attach();
  await runtime.pause();
  const paused = await nextStop(stops, 0);
  assert.equal(paused.reason, 'pause');
  assert.equal(paused.allThreadsStopped, true);
  assert.ok(!runsFreely(target.pid));
  await runtime.continue();
  await waitFor('the process to run under gdb', () => taskTracedButRunning(target.pid), 20_000);

  // Hit count: from a stop in worker-1's round R, "3" stops in round R + 3.
  const line = markerLine('BREAK-COST');
  await runtime.setBreakpoints(TARGET_SOURCE, [{ line, condition: 'quantity == 1' }]);
  const first = await nextStop(stops, 1);
  const firstFrame = (await topFrame(runtime, first.threadId!)).frame;
  const round = Number((await runtime.evaluate('round', firstFrame.id)).value);
  const counted = await runtime.setBreakpoints(TARGET_SOURCE, [{ line, condition: 'quantity == 1', hitCondition: '3' }]);
  assert.equal(counted[0]!.verified, true);
  await runtime.continue();
  const third = await nextStop(stops, 2);
  assert.equal(Number((await runtime.evaluate('round', (await topFrame(runtime, third.threadId!)).frame.id)).value), round + 3);
  const unsupported = await runtime.setBreakpoints(TARGET_SOURCE, [{ line, hitCondition: '% 2' }]);
  assert.equal(unsupported[0]!.verified, false);
  assert.match(unsupported[0]!.message ?? '', /not supported/);

  // A function breakpoint, and one that does not exist (pending, unverified).
  await runtime.setBreakpoints(TARGET_SOURCE, []);
  const functions = await runtime.setFunctionBreakpoints([
    { function: 'price', condition: 'quantity == 3' },
    { function: 'no_such_function' },
  ]);
  assert.deepEqual(
    functions.map((b) => b.verified),
    [true, false],
  );
  await runtime.continue();
  const inPrice = await nextStop(stops, 3);
  assert.equal(inPrice.reason, 'breakpoint');
  assert.equal((await topFrame(runtime, inPrice.threadId!)).frame.function, 'price');
  await runtime.setFunctionBreakpoints([]);

  // A logpoint prints and never shows a stop; a bad expression in it prints an error, and the process runs on.
  await runtime.setBreakpoints(TARGET_SOURCE, [{ line, condition: 'quantity == 3', logMessage: 'q={quantity} r={round} {nope}!' }]);
  const stopsBefore = stops.length;
  await runtime.continue();
  await waitFor(
    'two logpoint lines',
    () => output.filter((o) => /^q=3 r=\d+ <error: No symbol "nope" in current context\.>!\n$/.test(o.text)).length >= 2,
    20_000,
  );
  assert.equal(stops.length, stopsBefore);
  await runtime.detach();
  await assertRunsFreely(target.pid);
});

test('detach while running and detach while stopped at a breakpoint both leave every thread running', { timeout: TIMEOUT }, async () => {
  const running = await attach();
  await running.runtime.detach();
  await assertRunsFreely(target.pid);

  const stopped = await attach();
  await stopped.runtime.setBreakpoints(TARGET_SOURCE, [{ line: markerLine('BREAK-COST') }]);
  await nextStop(stopped.stops, 0);
  await stopped.runtime.detach();
  await assertRunsFreely(target.pid);
});
