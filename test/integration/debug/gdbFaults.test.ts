// Never leave a process stopped: real gdb under the watchdog over a real sshd behind the fault
// proxy. The SSH connection is cut, stalled, the client drops its channel without detaching, gdb
// is killed with SIGKILL while a SIGSTOP waits, a detach races a pause; after each, every thread of
// the target runs (/proc/PID/task/*/status not t/T, TracerPid 0).
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { createGdbRuntime } from '../../../src/core/debug/gdb';
import type { GdbRuntime } from '../../../src/core/debug/gdb/gdbRuntime';
import type { RuntimeStop } from '../../../src/core/debug/runtime';
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
  recordingRunner,
  runsFreely,
  startTarget,
  taskStates,
  TARGET_SOURCE,
  type Target,
} from './gdbSupport';

/**
 * Cycles of the random fault loop: the issue's 50. Measured here (2 cores shared with two other
 * runs, load 5-10): 50 cycles in 120-176 s, the whole file in 133-200 s; a cycle is mostly gdb's attach
 * (about 1.3 s, gdb's own start-up and symbol reading, after a reconnect when the last fault cut
 * the link) and, for a stall, the watchdog's silence limit, which stays generous on purpose.
 * Seed 35 draws every fault at least seven times. FIREFIGHTER_GDB_FAULT_CYCLES and
 * FIREFIGHTER_GDB_FAULT_SEED run more, fewer, or another sequence.
 */
const FAULT_CYCLES = Number(process.env.FIREFIGHTER_GDB_FAULT_CYCLES ?? 50);
const HEARTBEAT_MS = 250;
// Generous against a busy machine delaying the client's beats; the stall test waits this long.
const WATCHDOG_TIMEOUT_MS = 2500;

let web: SshHost;
let proxy: FaultProxy;
let pool: SshPool;
let target: Target;

before(async () => {
  const dir = makeTempDir('gdb-faults');
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] });
  proxy = await startFaultProxy({ target: web });
  const { configFile } = writeSshConfig({ dir, entries: [{ host: viaProxy(web, proxy), identityFiles: [userKey.privateKeyPath] }] });
  pool = poolFor(configFile);
  target = await startTarget(compileTarget(dir));
});

const live: GdbRuntime[] = [];
afterEach(async () => {
  proxy.resume();
  await Promise.all(live.splice(0).map((runtime) => runtime.detach()));
});

after(async () => {
  pool.dispose();
  await target.stop();
  await Promise.all([web.stop(), proxy.stop()]);
});

async function attach() {
  const runner = recordingRunner(await pool.connect('web-1'));
  const bus = new EventBus();
  const events: IncidentEvent[] = [];
  bus.onAny((event) => events.push(event));
  const runtime = await createGdbRuntime(runner, {
    host: 'web-1',
    pid: target.pid,
    events: bus,
    heartbeatMs: HEARTBEAT_MS,
    watchdogTimeoutMs: WATCHDOG_TIMEOUT_MS,
  });
  live.push(runtime);
  const stops: RuntimeStop[] = [];
  const ends: string[] = [];
  runtime.onDidStop((stop) => stops.push(stop));
  runtime.onDidEnd(({ reason }) => ends.push(reason));
  return { runtime, runner, stops, ends, events };
}

type Session = Awaited<ReturnType<typeof attach>>;

async function stopAtBreakpoint(session: Session): Promise<RuntimeStop> {
  const seen = session.stops.length;
  await session.runtime.setBreakpoints(TARGET_SOURCE, [{ line: markerLine('BREAK-COST') }]);
  await waitFor('a breakpoint hit', () => session.stops.length > seen, 20_000);
  assert.ok(!runsFreely(target.pid), 'the target should be stopped at the breakpoint');
  return session.stops[seen]!;
}

async function assertRunsFreely(what: string): Promise<void> {
  await waitFor(`every thread to run untraced after ${what}`, () => runsFreely(target.pid), 20_000).catch((error: Error) => {
    throw new Error(`${error.message}: ${describeTasks(target.pid)}`);
  });
}

test('SSH cut while stopped at a breakpoint: the watchdog detaches and the target runs again', { timeout: 60_000 }, async () => {
  const session = await attach();
  await stopAtBreakpoint(session);
  proxy.cut();
  await assertRunsFreely('the cut');
  await waitFor('the runtime to end', () => session.ends.length === 1, 20_000);
  assert.match(session.ends[0]!, /^the gdb channel to web-1 closed/);
  assert.deepEqual(
    session.events.filter((e) => e.name === 'debug.detached').map((e) => 'reason' in e && e.reason),
    [session.ends[0]],
  );
});

test('the client goes away without detaching (its channel destroyed): the target runs again', { timeout: 60_000 }, async () => {
  const session = await attach();
  await stopAtBreakpoint(session);
  session.runner.spawned[0]!.close();
  await assertRunsFreely('the client went away');
});

test('a stalled link: the heartbeat stops arriving, the watchdog detaches after its timeout', { timeout: 60_000 }, async () => {
  const session = await attach();
  await stopAtBreakpoint(session);
  proxy.stall();
  await assertRunsFreely('the stall');
  proxy.cut();
  await waitFor('the runtime to end', () => session.ends.length === 1, 20_000);
});

test(
  'gdb killed with SIGKILL while a SIGSTOP is pending: the target is group-stopped, the watchdog sends SIGCONT',
  { timeout: 60_000 },
  async () => {
    const session = await attach();
    await stopAtBreakpoint(session);
    const gdbPid = taskStates(target.pid)[0]!.tracerPid;
    assert.ok(gdbPid > 0);
    // Queued while the threads sit in ptrace-stop; delivered when the kernel detaches them.
    process.kill(target.pid, 'SIGSTOP');
    process.kill(gdbPid, 'SIGKILL');
    await assertRunsFreely('gdb was killed');
    await waitFor('the runtime to end', () => session.ends.length === 1, 20_000);
  },
);

test(`random faults, ${FAULT_CYCLES} cycles: after each every thread runs with no tracer`, { timeout: 600_000 }, async () => {
  const random = seeded(Number(process.env.FIREFIGHTER_GDB_FAULT_SEED ?? 35));
  const faults = ['cut', 'client killed', 'detach mid-pause', 'cut mid-pause', 'stall'] as const;
  const states = ['running', 'running with a breakpoint', 'stopped at a breakpoint'] as const;
  const counts = new Map<string, number>();
  // Where the time goes, reported (never asserted): attach, the state before, fault to free, free to end.
  const phases = { attach: 0, before: 0, free: 0, end: 0 };
  const started = Date.now();
  let mark = started;
  const lap = (phase: keyof typeof phases) => {
    const now = Date.now();
    phases[phase] += now - mark;
    mark = now;
  };
  for (let cycle = 0; cycle < FAULT_CYCLES; cycle++) {
    const fault = faults[Math.floor(random() * faults.length)]!;
    const before = states[Math.floor(random() * states.length)]!;
    counts.set(fault, (counts.get(fault) ?? 0) + 1);
    mark = Date.now();
    const session = await attach();
    lap('attach');
    if (before === 'stopped at a breakpoint') await stopAtBreakpoint(session);
    // Inserted in the running code: a detach that left its int3 behind would kill the target.
    if (before === 'running with a breakpoint')
      await session.runtime.setBreakpoints(TARGET_SOURCE, [{ line: markerLine('BREAK-COST'), condition: 'quantity == 99' }]);
    lap('before');
    switch (fault) {
      case 'cut':
        proxy.cut();
        break;
      case 'client killed':
        session.runner.spawned[0]!.close();
        break;
      case 'detach mid-pause':
        void session.runtime.pause().catch(() => undefined);
        await session.runtime.detach();
        break;
      case 'cut mid-pause':
        void session.runtime.pause().catch(() => undefined);
        proxy.cut();
        break;
      case 'stall':
        proxy.stall();
        break;
    }
    await assertRunsFreely(`cycle ${cycle}: ${fault}, ${before}`);
    lap('free');
    if (fault === 'stall') {
      proxy.cut();
      proxy.resume();
    }
    await waitFor(`cycle ${cycle}: the runtime to end`, () => session.ends.length === 1, 20_000);
    lap('end');
    live.splice(0);
  }
  console.log(
    `gdb fault loop: ${FAULT_CYCLES} cycles in ${Date.now() - started} ms: ${[...counts].map(([f, n]) => `${f} ${n}`).join(', ')}; ` +
      `ms in ${Object.entries(phases)
        .map(([phase, ms]) => `${phase} ${ms}`)
        .join(', ')}`,
  );
});

/** A small seeded generator (mulberry32), so a failing cycle sequence can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
