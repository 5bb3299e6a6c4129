// Never leave a process stopped: real gdb under the watchdog over a real sshd behind the fault
// proxy. The runtime alone: the SSH connection is cut or stalled, the client drops its channel
// without detaching, gdb is killed with SIGKILL while a SIGSTOP waits. Then the issue's loop of
// random faults through DAP: DebugClient against the adapter in a process of its own (the SSH link
// cut at the proxy, the adapter SIGKILLed, a disconnect mid-pause, a stall). After each, every
// thread of the target runs (/proc/PID/task/*/status not t/T, TracerPid 0), and no gdb or watchdog
// is left on the host.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
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
import { attach as attachThroughDap, connectSocket, nextStop, startAdapterProcess } from './dapSupport';
import {
  compileTarget,
  describeTasks,
  gdbLeftovers,
  markerLine,
  recordingRunner,
  runsFreely,
  startTarget,
  taskStates,
  TARGET_SOURCE,
  type Target,
} from './gdbSupport';

/**
 * Cycles of the random fault loop: the issue's 50. Measured here (2 cores shared, load 6-9): 50
 * cycles in 157-172 s, the whole file in 186-191 s; a cycle is mostly gdb's attach through the
 * adapter (about 1.8 s, after a reconnect when the last fault cut the link) and, for a stall, the
 * watchdog's silence limit. Seed 723 draws every fault at least seven times, every state at least
 * eleven, and each of the 24 pairs. FIREFIGHTER_GDB_FAULT_CYCLES and FIREFIGHTER_GDB_FAULT_SEED run
 * more, fewer, or another sequence.
 */
const FAULT_CYCLES = Number(process.env.FIREFIGHTER_GDB_FAULT_CYCLES ?? 50);
const DEFAULT_SEED = 723;
/** Only for a state that never comes (a lost adapter never answers): generous on a busy machine. */
const SAFETY_NET_MS = 60_000;
const HEARTBEAT_MS = 250;
// Generous against a busy machine delaying the client's beats; the stall test waits this long.
const WATCHDOG_TIMEOUT_MS = 2500;

let web: SshHost;
let proxy: FaultProxy;
let pool: SshPool;
let target: Target;
/** The ssh_config that reaches web-1 through the proxy, for the adapter process too. */
let configFile: string;

before(async () => {
  const dir = makeTempDir('gdb-faults');
  const userKey = await generateKey({ dir, name: 'id_user' });
  web = await startSshHost({ name: 'web-1', authorizedKeys: [userKey.publicKey] });
  proxy = await startFaultProxy({ target: web });
  configFile = writeSshConfig({ dir, entries: [{ host: viaProxy(web, proxy), identityFiles: [userKey.privateKeyPath] }] }).configFile;
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

/** The fault loop's faults, drawn per cycle with the state the target is in when it strikes. */
const FAULTS = ['SSH cut', 'SSH cut mid-pause', 'adapter killed', 'adapter killed mid-pause', 'disconnect mid-pause', 'stall'] as const;
const STATES = ['running', 'running with a breakpoint', 'stopped at a breakpoint', 'paused'] as const;

test(`random faults through DAP, ${FAULT_CYCLES} cycles: after each every thread runs with no tracer`, { timeout: 900_000 }, async () => {
  const random = seeded(Number(process.env.FIREFIGHTER_GDB_FAULT_SEED ?? DEFAULT_SEED));
  const gdb = { heartbeatMs: HEARTBEAT_MS, watchdogTimeoutMs: WATCHDOG_TIMEOUT_MS };
  const startAdapter = () => {
    const starting = startAdapterProcess(configFile, gdb);
    starting.catch(() => undefined);
    return starting;
  };
  let adapter = startAdapter();
  /** Per fault: how many cycles drew it, and their time from the fault to every thread free. */
  const counts = new Map<string, { cycles: number; freeMs: number }>();
  // Where the time goes, reported (never asserted): waiting for a restarted adapter, the attach
  // through DAP, the state before the fault, fault to every thread free, free to the session's end.
  const phases = { adapter: 0, attach: 0, before: 0, free: 0, end: 0 };
  const started = Date.now();
  let mark = started;
  const lap = (phase: keyof typeof phases) => {
    const now = Date.now();
    phases[phase] += now - mark;
    mark = now;
  };
  try {
    for (let cycle = 0; cycle < FAULT_CYCLES; cycle++) {
      const fault = FAULTS[Math.floor(random() * FAULTS.length)]!;
      const before = STATES[Math.floor(random() * STATES.length)]!;
      const what = `cycle ${cycle}: ${fault}, ${before}`;
      const count = counts.get(fault) ?? { cycles: 0, freeMs: 0 };
      counts.set(fault, { ...count, cycles: count.cycles + 1 });
      mark = Date.now();
      const server = await adapter;
      lap('adapter');
      const client = await connectSocket(server.port, SAFETY_NET_MS);
      await within(
        attachThroughDap(client, { host: 'web-1', pid: target.pid, mode: 'gdb' }, async (dap) => {
          // Inserted in the running code: a detach that left its int3 behind would kill the target.
          const condition = before === 'running with a breakpoint' ? 'quantity == 99' : undefined;
          if (before.endsWith('breakpoint'))
            await dap.setBreakpointsRequest({
              source: { path: TARGET_SOURCE },
              breakpoints: [{ line: markerLine('BREAK-COST'), condition }],
            });
        }),
        `${what}: the attach`,
      );
      lap('attach');
      // What assertFree waits to see gone is seen while attached: the check is not vacuous.
      const attached = gdbLeftovers(web, target.pid);
      assert.ok(
        attached.some((p) => p.endsWith('(gdb)')) && attached.some((p) => p.endsWith('(watchdog)')),
        `${what}: ${attached.join(', ')}`,
      );
      if (before === 'paused') await within(client.dap.pauseRequest({ threadId: 0 }), `${what}: the pause`);
      if (before === 'stopped at a breakpoint' || before === 'paused') {
        await nextStop(client, 0);
        assert.ok(!runsFreely(target.pid), `${what}: the target should be stopped`);
      }
      lap('before');
      // A pause in flight: sent, and the fault strikes somewhere in its way to gdb and back.
      if (fault.endsWith('mid-pause')) {
        void client.dap.pauseRequest({ threadId: 0 }).catch(() => undefined);
        if (fault !== 'disconnect mid-pause') await delay(Math.floor(random() * 100));
      }
      if (fault.startsWith('SSH cut')) proxy.cut();
      else if (fault === 'stall') proxy.stall();
      else if (fault.startsWith('adapter killed')) {
        await server.kill();
        client.close();
        adapter = startAdapter();
      } else await within(client.dap.disconnectRequest(), `${what}: the disconnect`);
      const faulted = Date.now();
      await assertFree(what);
      counts.get(fault)!.freeMs += Date.now() - faulted;
      lap('free');
      if (fault === 'stall') {
        proxy.cut();
        proxy.resume();
      }
      if (!fault.startsWith('adapter killed')) {
        // The adapter says the session ended (TerminatedEvent); VS Code then disconnects.
        await waitFor(`${what}: the session to end`, () => client.terminated > 0, SAFETY_NET_MS);
        if (fault !== 'disconnect mid-pause') await within(client.dap.disconnectRequest(), `${what}: the disconnect`);
        client.close();
      }
      lap('end');
    }
  } finally {
    proxy.resume();
    await (await adapter).stop();
  }
  console.log(
    `gdb fault loop through DAP: ${FAULT_CYCLES} cycles in ${Date.now() - started} ms: ` +
      `${[...counts].map(([f, { cycles, freeMs }]) => `${f} ${cycles} (free in ${freeMs} ms)`).join(', ')}; ` +
      `ms in ${Object.entries(phases)
        .map(([phase, ms]) => `${phase} ${ms}`)
        .join(', ')}`,
  );
});

/** Every thread of the target runs untraced, and no gdb or watchdog of its attach is left on the host. */
async function assertFree(what: string): Promise<void> {
  const free = () => runsFreely(target.pid) && gdbLeftovers(web, target.pid).length === 0;
  await waitFor(`every thread to run untraced, no gdb left, after ${what}`, free, SAFETY_NET_MS, 50).catch((error: Error) => {
    throw new Error(
      `${error.message}: ${describeTasks(target.pid)}; left on the host: ${gdbLeftovers(web, target.pid).join(', ') || 'nothing'}`,
    );
  });
}

/** `promise`, or a rejection naming `what` after the safety net (a DAP request to a lost adapter never settles). */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), SAFETY_NET_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

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
