// Benchmark (not a test): what a stack snapshot costs the target, measured by the target itself,
// for each engine, against `gdb -batch -p PID -ex 'thread apply all bt'` in the same run; and the
// snapshot's wall time on a connected host. The targets keep one thread reading the monotonic
// clock in a tight loop and report the longest gap between two reads (the pause they saw) when
// asked; "idle" is the same window with no snapshot, the machine's own scheduling noise.
// Targets: the C program test/fixtures/snapshot/pausemeter.c and the same loop in CPython.
// The host is a harness sshd on loopback. Run: node --import tsx bench/snapshot.ts [runs]
// Two shorter modes: `bench/snapshot.ts wall [runs]` (the wall time of a CPython snapshot on a
// connected host: the one-command snapshot as it was at BASELINE and as it is now, the reader
// alone, a session's next snapshot from its kept reader, and a bare round trip, interleaved) and
// `bench/snapshot.ts sample [seconds]` (what a 100 Hz sampling run costs a CPython target: its
// CPU time and work done, with and without).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { newNonce, splitSections } from '../src/core/health/proc';
import { processScript } from '../src/core/snapshot/processes';
import { parseReaderAnswer, pythonPrelude, readPythonStacks } from '../src/core/snapshot/python';
import { samplePythonStacks } from '../src/core/snapshot/pythonSample';
import { PythonStacksReader } from '../src/core/snapshot/pythonReader';
import { SnapshotSession } from '../src/core/snapshot/session';
import { takeSnapshot } from '../src/core/snapshot/snapshot';
import type { EngineName } from '../src/core/snapshot/types';
import type { RemoteRunner } from '../src/core/ssh/remote';
import { makeTempDir, startSandboxHost, trackProcess } from '../test/harness';
import { LocalRunner } from '../test/support/localRunner';
import { benchPool, summary } from './common';

const RUNS = Number(process.argv[2] ?? 5);

const run = promisify(execFile);

const PYTHON_METER = `
import sys, threading, time
longest = 0
reset = False
def loop():
    global longest, reset
    previous = time.monotonic_ns()
    while True:
        now = time.monotonic_ns()
        gap = now - previous
        previous = now
        if reset:
            reset = False
            longest = 0
        elif gap > longest:
            longest = gap
threading.Thread(target=loop, daemon=True).start()
print("ready", flush=True)
for _ in sys.stdin:
    print(longest // 1000, flush=True)
    reset = True
`;

class Meter {
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];

  constructor(readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout! });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
  }

  static async start(command: string, args: string[]): Promise<Meter> {
    const meter = new Meter(trackProcess(spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] })));
    await meter.next();
    return meter;
  }

  private next(): Promise<string> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The number the target answers to an empty line. */
  async query(): Promise<number> {
    const line = this.next();
    this.child.stdin!.write('\n');
    return Number(await line);
  }

  /** The longest gap since the last call, ms. */
  async longestGapMs(): Promise<number> {
    return (await this.query()) / 1000;
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

interface Row {
  label: string;
  pauses: number[];
  reported: number[];
  walls: number[];
}

async function measure(meter: Meter, label: string, runs: number, once: () => Promise<{ pauseMs?: number; wallMs: number }>): Promise<Row> {
  const row: Row = { label, pauses: [], reported: [], walls: [] };
  for (let i = 0; i < runs; i++) {
    await meter.longestGapMs();
    const result = await once();
    row.pauses.push(await meter.longestGapMs());
    if (result.pauseMs !== undefined) row.reported.push(result.pauseMs);
    row.walls.push(result.wallMs);
  }
  return row;
}

function idle(ms: number): () => Promise<{ wallMs: number }> {
  return () => new Promise((resolve) => setTimeout(() => resolve({ wallMs: ms }), ms));
}

/** The commit whose one-command CPython snapshot the wall mode measures as "before". */
const BASELINE = '573e840';

/**
 * The snapshot of BASELINE: the probe, then the reader, one after the other in one command; the
 * whole script (sampling part, json and re imports included) compiled from stdin, under the
 * interpreter flags of then.
 */
function baselineSnapshot(runner: RemoteRunner, pid: number): () => Promise<unknown> {
  const script = execFileSync('git', ['show', `${BASELINE}:src/core/snapshot/pystacks.py`], { cwd: __dirname, encoding: 'utf8' });
  return async () => {
    const nonce = newNonce();
    const command = [
      `( ${processScript(nonce, String(pid), 0)} ) </dev/null`,
      `s() { printf '\\n@@${nonce}:%s\\n' "$1"; }`,
      's tools',
      ['py-spy', 'eu-stack', 'gdb'].map((t) => `command -v ${t} >/dev/null 2>&1 && echo ${t}`).join('; '),
      's python',
      `( ${[...pythonPrelude(pid), `exec "$exe" -E -s -S - ${pid}`].join('\n')} )`,
      's probed',
      'exit 0',
    ].join('\n');
    const result = await runner.exec(command, { stdin: script, timeoutMs: 30_000 });
    parseReaderAnswer(runner.host, pid, splitSections(result.stdout, nonce).get('python') ?? '', result.stderr);
  };
}

function engineRun(runner: RemoteRunner, pid: number, engine: EngineName) {
  return async () => {
    const snapshot = await takeSnapshot(runner, pid, { engine });
    return { pauseMs: snapshot.pauseMs, wallMs: snapshot.wallMs };
  };
}

function gdbBatch(pid: number) {
  return async () => {
    const started = process.hrtime.bigint();
    await run('gdb', ['-batch', '-p', String(pid), '-ex', 'thread apply all bt'], { maxBuffer: 64 * 1024 * 1024 });
    return { wallMs: Number(process.hrtime.bigint() - started) / 1e6 };
  };
}

const fmt = (n: number) => n.toFixed(1).padStart(8);

function print(target: string, rows: Row[]): void {
  const baseline = rows.find((r) => r.label.startsWith('gdb -batch'));
  const baseMedian = baseline ? summary(baseline.pauses).median : NaN;
  console.log(`\n${target}: target-measured pause per snapshot (ms), median / p90; reported pauseMs and wall time (ms), median`);
  console.log(`${'engine'.padEnd(34)}   pause   p90     reported  wall     vs gdb -batch`);
  for (const row of rows) {
    const pause = summary(row.pauses);
    const reported = row.reported.length ? fmt(summary(row.reported).median) : '       -';
    const ratio = row === baseline || row.label === 'idle' ? '' : `  ${(baseMedian / Math.max(pause.median, 0.001)).toFixed(1)}x less`;
    console.log(`${row.label.padEnd(34)}${fmt(pause.median)}${fmt(pause.p90)}${reported}${fmt(summary(row.walls).median)}${ratio}`);
  }
}

async function main(): Promise<void> {
  const sandbox = await startSandboxHost({ name: 'bench-1' });
  const pool = benchPool(sandbox.configFile);
  const binary = path.join(makeTempDir('bench-snapshot'), 'pausemeter');
  execFileSync('gcc', ['-g', '-O1', '-pthread', '-o', binary, path.join(__dirname, '../test/fixtures/snapshot/pausemeter.c')]);
  try {
    const runner = await pool.connect('bench-1');
    const targets: [string, () => Promise<Meter>, EngineName[]][] = [
      ['native (C, 10 threads)', () => Meter.start(binary, []), ['eu-stack', 'gdb']],
      ['CPython 3.11 (/usr/bin/python3)', () => Meter.start('/usr/bin/python3', ['-c', PYTHON_METER]), ['python', 'eu-stack', 'gdb']],
    ];
    for (const [name, start, engines] of targets) {
      const meter = await start();
      const pid = meter.child.pid as number;
      try {
        const rows: Row[] = [await measure(meter, 'idle', RUNS, idle(200))];
        for (const engine of engines) {
          try {
            await takeSnapshot(runner, pid, { engine }); // warm-up: module loading, page cache
            rows.push(await measure(meter, `firefighter ${engine}`, RUNS, engineRun(runner, pid, engine)));
          } catch (error) {
            console.log(`${name}: ${engine} unavailable: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        if (engines.includes('python')) {
          // a debug session's Continue: the next snapshot from the reader it keeps
          const session = new SnapshotSession(runner, pid);
          try {
            await session.take();
            await session.take();
            rows.push(
              await measure(meter, 'firefighter python, kept reader', RUNS, async () => {
                const snapshot = await session.take();
                return { pauseMs: snapshot.pauseMs, wallMs: snapshot.wallMs };
              }),
            );
          } finally {
            session.dispose();
          }
        }
        rows.push(await measure(meter, "gdb -batch -p PID -ex 'thread apply all bt'", RUNS, gdbBatch(pid)));
        print(`${name}; load average ${load()}`, rows);
      } finally {
        meter.stop();
      }
    }
  } finally {
    pool.dispose();
    await sandbox.stop();
  }
}

const WORKER = `
import sys, threading, time
done = 0
def work():
    global done
    while True:
        sum(i * i for i in range(200))
        done += 1
        time.sleep(0.001)
def idle():
    while True:
        time.sleep(60)
threading.Thread(target=work, daemon=True).start()
for _ in range(8):
    threading.Thread(target=idle, daemon=True).start()
print("ready", flush=True)
for _ in sys.stdin:
    print(done, flush=True)
`;

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** A target's CPU seconds so far (utime + stime of /proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function withHarness(body: (runner: RemoteRunner) => Promise<void>): Promise<void> {
  const sandbox = await startSandboxHost({ name: 'bench-1' });
  const pool = benchPool(sandbox.configFile);
  try {
    await body(await pool.connect('bench-1'));
  } finally {
    pool.dispose();
    await sandbox.stop();
  }
}

async function wallMode(runs: number): Promise<void> {
  await withHarness(async (runner) => {
    const meter = await Meter.start('/usr/bin/python3', ['-c', PYTHON_METER]);
    const pid = meter.child.pid as number;
    try {
      await takeSnapshot(runner, pid); // warm-up: module loading, page cache
      const loadBefore = load();
      const timed = async (body: () => Promise<unknown>) => {
        const started = performance.now();
        await body();
        return performance.now() - started;
      };
      const session = new SnapshotSession(runner, pid);
      await session.take(); // the first snapshot probes; the reader is then kept for the next ones
      await session.take();
      const before = baselineSnapshot(runner, pid);
      await before();
      const rows: [string, () => Promise<unknown>, number[]][] = [
        ['bare round trip (exec true)', () => runner.exec('true'), []],
        [`one-command snapshot as at ${BASELINE} (before)`, before, []],
        ['takeSnapshot: one command, reader first (now)', () => takeSnapshot(runner, pid), []],
        ['the reader alone, one command, no probe (now)', () => readPythonStacks(runner, pid), []],
        ["a session's next snapshot: its kept reader", () => session.take(), []],
      ];
      // interleaved, so that every row sees the same load
      for (let i = 0; i < runs; i++) {
        for (const [, body, walls] of rows) walls.push(await timed(body));
      }
      session.dispose();
      console.log(`load average before ${loadBefore}, after ${load()}; CPython 3.11 target; ${runs} runs, wall ms median (p90)`);
      for (const [label, , walls] of rows)
        console.log(`${label.padEnd(52)}${fmt(summary(walls).median)} (${summary(walls).p90.toFixed(1)})`);
      await hostCpu(pid, runs);
    } finally {
      meter.stop();
    }
  });
}

async function sampleMode(seconds: number): Promise<void> {
  await withHarness(async (runner) => {
    const worker = await Meter.start('/usr/bin/python3', ['-c', WORKER]);
    const pid = worker.child.pid as number;
    const window = async (during: () => Promise<unknown>) => {
      const cpu0 = cpuSeconds(pid);
      const done0 = await worker.query();
      const started = performance.now();
      await during();
      const wall = (performance.now() - started) / 1000;
      const done = (await worker.query()) - done0;
      return { cpuPercent: (100 * (cpuSeconds(pid) - cpu0)) / wall, workPerSecond: done / wall, wall };
    };
    try {
      const rows: [string, { cpuPercent: number; workPerSecond: number; wall: number }, string][] = [];
      rows.push(['no sampling', await window(() => new Promise((resolve) => setTimeout(resolve, seconds * 1000))), '']);
      let samplerCpu = '';
      rows.push([
        `sampling at 100 Hz`,
        await window(async () => {
          const run = await samplePythonStacks(runner, pid, { seconds, hz: 100 });
          samplerCpu = `${run.samples} samples; the sampler's own CPU ${run.cpuMs.toFixed(0)} ms (${(run.cpuMs / 10 / seconds).toFixed(1)} % of a CPU), reading ${(run.readMs / Math.max(1, run.samples)).toFixed(2)} ms a tick`;
        }),
        samplerCpu,
      ]);
      rows[1][2] = samplerCpu;
      rows.push(['no sampling (again)', await window(() => new Promise((resolve) => setTimeout(resolve, seconds * 1000))), '']);
      console.log(
        `load average ${load()}; target: CPython 3.11, one thread working 1 ms then sleeping 1 ms, 8 idle threads; ${seconds} s windows`,
      );
      for (const [label, row, note] of rows) {
        console.log(
          `${label.padEnd(22)} target CPU ${row.cpuPercent.toFixed(1).padStart(5)} %  work ${row.workPerSecond.toFixed(0).padStart(6)}/s  wall ${row.wall.toFixed(2)} s  ${note}`,
        );
      }
    } finally {
      worker.stop();
    }
  });
}

/** CPU seconds of this process's waited-for children so far (cutime + cstime of /proc/self/stat). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * What a snapshot costs the host in CPU (user + system, every process it starts), the same
 * commands run by a local sh: the wall on a busy host is mostly waiting for that CPU.
 */
async function hostCpu(pid: number, runs: number): Promise<void> {
  const local = new LocalRunner('local');
  const perSnapshot = async (body: () => Promise<unknown>, after?: () => Promise<void>) => {
    const before = childrenCpuSeconds();
    for (let i = 0; i < runs; i++) await body();
    await after?.();
    return ((childrenCpuSeconds() - before) * 1000) / runs;
  };
  const old = await perSnapshot(baselineSnapshot(local, pid));
  const now = await perSnapshot(() => takeSnapshot(local, pid));
  const reader = await PythonStacksReader.start(local, pid);
  const kept = await perSnapshot(
    () => reader.snapshot(),
    async () => {
      reader.close();
      await reader.ended;
      while (local.running > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    },
  );
  console.log(
    `host CPU per snapshot (user + system, ms; ${runs} each, 10 ms clock ticks): as at ${BASELINE} ${old.toFixed(0)}, takeSnapshot now ${now.toFixed(0)}, kept reader ${kept.toFixed(1)} (its start included)`,
  );
}

const mode = process.argv[2];
(mode === 'wall' ? wallMode(Number(process.argv[3] ?? 10)) : mode === 'sample' ? sampleMode(Number(process.argv[3] ?? 5)) : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
