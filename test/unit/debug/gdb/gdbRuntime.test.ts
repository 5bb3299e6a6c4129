// The runtime's order of commands against a scripted gdb (stdin lines in, MI records out, shaped
// like the recorded session): attach, the fixed detach order, a channel that ends on its own, and
// an interrupt overtaken by a breakpoint stop (a race the real-gdb tests cannot force). Real gdb
// over real sshd: test/integration/debug/gdbAttach.test.ts and gdbFaults.test.ts.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { GdbRuntime } from '../../../../src/core/debug/gdb/gdbRuntime';
import { HEARTBEAT_LINE } from '../../../../src/core/debug/gdb/watchdog';
import type { RuntimeStop } from '../../../../src/core/debug/runtime';
import { EventBus, type IncidentEvent } from '../../../../src/core/events';
import type { RemoteProcess } from '../../../../src/core/ssh/remote';
import { ManualClock } from '../../../../src/core/util/clock';
import { waitFor } from '../../../support/waitFor';

const FRAME = 'frame={addr="0x1",func="price",file="target.c",fullname="/t/target.c",line="19"}';

/** A channel whose far end answers each MI command through `answer` (records, without tokens on async ones). */
function scriptedGdb(answer: (command: string, token: string) => string[]) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const commands: string[] = [];
  const heartbeats: string[] = [];
  let finish: (value: { exitCode: number | null; signal: string | null; error?: Error }) => void = () => undefined;
  const exit = new Promise<{ exitCode: number | null; signal: string | null; error?: Error }>((resolve) => (finish = resolve));
  let buffered = '';
  stdin.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line === HEARTBEAT_LINE) {
        heartbeats.push(line);
        continue;
      }
      const [, token, command] = /^(\d+)(.*)$/.exec(line)!;
      commands.push(command!);
      for (const record of answer(command!, token!)) stdout.write(`${record}\n`);
    }
  });
  stdin.on('finish', () => finish({ exitCode: 0, signal: null }));
  const proc: RemoteProcess = { stdin, stdout, stderr, exit, close: () => finish({ exitCode: null, signal: null }) };
  return { proc, commands, heartbeats, stdout, stderr, drop: (error: Error) => finish({ exitCode: null, signal: null, error }) };
}

/** gdb's answers for a quiet target: attach stops it, continue runs it, detach and exit end it. */
function ordinary(command: string, token: string): string[] {
  if (command.startsWith('-target-attach')) return [`${token}^done`, `*stopped,${FRAME},thread-id="1",stopped-threads="all"`];
  if (command.startsWith('-exec-continue')) return [`${token}^running`, '*running,thread-id="all"'];
  if (command === '-gdb-exit') return [`${token}^exit`];
  if (command === '-exec-interrupt --all')
    return [`${token}^done`, `*stopped,reason="signal-received",signal-name="SIGINT",${FRAME},thread-id="1",stopped-threads="all"`];
  return [`${token}^done`];
}

function runtimeOver(gdb: ReturnType<typeof scriptedGdb>, clock = new ManualClock()) {
  const bus = new EventBus(clock);
  const events: IncidentEvent[] = [];
  bus.onAny((event) => events.push(event));
  const runtime = new GdbRuntime(gdb.proc, { host: 'web-1', pid: 42, events: bus, clock, heartbeatMs: 1000 });
  const stops: RuntimeStop[] = [];
  const ends: string[] = [];
  runtime.onDidStop((stop) => stops.push(stop));
  runtime.onDidEnd(({ reason }) => ends.push(reason));
  return { runtime, events, stops, ends, clock };
}

test('attach sets gdb up, attaches and lets the process run; detach goes -target-detach, -gdb-exit, end of stdin', async () => {
  const gdb = scriptedGdb(ordinary);
  const { runtime, events, ends, clock } = runtimeOver(gdb);
  await runtime.attach();
  assert.deepEqual(gdb.commands, [
    '-gdb-set mi-async on',
    '-gdb-set confirm off',
    '-gdb-set pagination off',
    '-gdb-set debuginfod enabled off',
    '-gdb-set charset UTF-8',
    '-target-attach 42',
    '-exec-continue',
  ]);
  await waitFor('the first heartbeat', () => gdb.heartbeats.length === 1);
  clock.advance(2000);
  await waitFor('two more heartbeats', () => gdb.heartbeats.length === 3);
  await runtime.detach();
  assert.deepEqual(gdb.commands.slice(7), ['-target-detach', '-gdb-exit']);
  assert.equal(gdb.proc.stdin.writableEnded, true);
  assert.deepEqual(ends, ['detached']);
  assert.deepEqual(
    events.map((e) => [e.name, 'reason' in e ? e.reason : undefined]),
    [
      ['debug.attached', 'attach'],
      ['debug.detached', 'detached'],
    ],
  );
  clock.advance(10_000);
  assert.equal(gdb.heartbeats.length, 3, 'no heartbeat after the end');
});

test('a failed attach says why, naming host and pid, and still exits gdb', async () => {
  const gdb = scriptedGdb((command, token) =>
    command.startsWith('-target-attach') ? [`${token}^error,msg="ptrace: Operation not permitted."`] : ordinary(command, token),
  );
  const { runtime, ends } = runtimeOver(gdb);
  await assert.rejects(runtime.attach(), /^Error: gdb could not attach to process 42 on web-1: ptrace: Operation not permitted\.$/);
  assert.deepEqual(gdb.commands.slice(-2), ['-target-detach', '-gdb-exit']);
  assert.deepEqual(ends, ['attach failed: ptrace: Operation not permitted.']);
});

test("the channel ending on its own ends the session with the watchdog's last words; later calls fail clearly", async () => {
  const gdb = scriptedGdb(ordinary);
  const { runtime, ends, events } = runtimeOver(gdb);
  await runtime.attach();
  gdb.stderr.write('firefighter-watchdog: no heartbeat from the client: detaching gdb from 42\n');
  await new Promise((resolve) => setImmediate(resolve));
  gdb.drop(new Error('web-1: connection lost'));
  await waitFor('the end', () => ends.length === 1);
  assert.equal(
    ends[0],
    'the gdb channel to web-1 closed (web-1: connection lost) (firefighter-watchdog: no heartbeat from the client: detaching gdb from 42); the watchdog on web-1 detaches gdb',
  );
  assert.equal(events.at(-1)!.name, 'debug.detached');
  await assert.rejects(runtime.threads(), /The debug session of process 42 on web-1 has ended/);
  await runtime.detach();
  assert.equal(ends.length, 1);
});

test('an interrupt overtaken by a breakpoint stop: detach first lets gdb take the queued SIGINT', async () => {
  let sigintQueued = false;
  const gdb = scriptedGdb((command, token) => {
    if (command === '-exec-interrupt --all') {
      // The breakpoint wins the race; the SIGINT waits in the kernel.
      sigintQueued = true;
      return [`${token}^done`, `*stopped,reason="breakpoint-hit",disp="keep",bkptno="1",${FRAME},thread-id="3",stopped-threads="all"`];
    }
    if (command === '-exec-continue' && sigintQueued) {
      sigintQueued = false;
      return [
        `${token}^running`,
        '*running,thread-id="all"',
        `*stopped,reason="signal-received",signal-name="SIGINT",signal-meaning="Interrupt",${FRAME},thread-id="1",stopped-threads="all"`,
      ];
    }
    return ordinary(command, token);
  });
  const { runtime, stops } = runtimeOver(gdb);
  await runtime.attach();
  await runtime.pause();
  await waitFor('the stop', () => stops.length === 1);
  assert.deepEqual(stops[0], { reason: 'breakpoint', threadId: 3, allThreadsStopped: true, hitBreakpointIds: [1] });
  await runtime.detach();
  assert.deepEqual(gdb.commands.slice(7), ['-exec-interrupt --all', '-exec-continue', '-target-detach', '-gdb-exit']);
  assert.equal(sigintQueued, false);
  assert.equal(stops.length, 1, 'the SIGINT taken for the detach is not shown');
});

test('a logpoint hit prints its message and continues without a stop shown', async () => {
  const gdb = scriptedGdb((command, token) => {
    if (command.startsWith('-break-insert')) return [`${token}^done,bkpt={number="5",type="breakpoint",addr="0x1",line="19"}`];
    if (command.startsWith('-data-evaluate-expression')) return [`${token}^done,value="2"`];
    return ordinary(command, token);
  });
  const { runtime, stops } = runtimeOver(gdb);
  const output: string[] = [];
  runtime.onDidOutput((o) => output.push(o.text));
  await runtime.attach();
  const placed = await runtime.setBreakpoints('/t/target.c', [{ line: 19, logMessage: 'q={quantity}' }]);
  assert.deepEqual(placed, [{ id: 5, verified: true, line: 19 }]);
  // Set while running: paused for it, then resumed, with no stop shown.
  assert.deepEqual(gdb.commands.slice(7), ['-exec-interrupt --all', '-break-insert -f --source /t/target.c --line 19', '-exec-continue']);
  const before = gdb.commands.length;
  gdb.stdout.write(`*stopped,reason="breakpoint-hit",disp="keep",bkptno="5",${FRAME},thread-id="2",stopped-threads="all"\n`);
  await waitFor('the logpoint line', () => output.includes('q=2\n'));
  await waitFor('the continue', () => gdb.commands.length === before + 2);
  assert.deepEqual(gdb.commands.slice(before), ['-data-evaluate-expression --thread 2 --frame 0 quantity', '-exec-continue']);
  assert.equal(stops.length, 0);
  await runtime.detach();
});
