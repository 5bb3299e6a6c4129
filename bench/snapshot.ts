// Benchmark (not a test): what a stack snapshot costs the target, measured by the target itself,
// for each engine, against `gdb -batch -p PID -ex 'thread apply all bt'` in the same run; and the
// snapshot's wall time on a connected host. The targets keep one thread reading the monotonic
// clock in a tight loop and report the longest gap between two reads (the pause they saw) when
// asked; "idle" is the same window with no snapshot, the machine's own scheduling noise.
// Targets: the C program test/fixtures/snapshot/pausemeter.c and the same loop in CPython.
// The host is a harness sshd on loopback. Run: node --import tsx bench/snapshot.ts [runs]
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { promisify } from 'node:util';
import { takeSnapshot } from '../src/core/snapshot/snapshot';
import type { EngineName } from '../src/core/snapshot/types';
import type { RemoteRunner } from '../src/core/ssh/remote';
import { makeTempDir, startSandboxHost, trackProcess } from '../test/harness';
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

  /** The longest gap since the last call, ms. */
  async longestGapMs(): Promise<number> {
    const line = this.next();
    this.child.stdin!.write('\n');
    return Number(await line) / 1000;
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
        rows.push(await measure(meter, "gdb -batch -p PID -ex 'thread apply all bt'", RUNS, gdbBatch(pid)));
        print(name, rows);
      } finally {
        meter.stop();
      }
    }
  } finally {
    pool.dispose();
    await sandbox.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
