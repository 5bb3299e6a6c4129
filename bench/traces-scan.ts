// Benchmark (not a test): scans a generated 120 MB mixed log (0.4 % of its lines in traces) with
// the trace detector and, in the same run, merely splits the same file into lines in Node (the
// baseline: read in the same chunks, decoded, split at newlines); then times big inputs (one 20 MB
// line, one trace of 150,000 and 300,000 frames) and the per-line link finder.
// Run: node --import tsx bench/traces-scan.ts [sizeMB] [rounds]
// The core is bundled with esbuild first, as dist/ ships it, so tsx's module shims are not measured.
// Each round runs the baseline and the detector each in a fresh Node process, so both pay for
// start-up as the CLI does. The machine may be shared: the summary gives medians, and the ratio is
// the median of the rounds' own ratios.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { buildSync } from 'esbuild';
import type * as Traces from '../src/core/traces';

type TracesModule = typeof Traces;

const TARGET_MB = Number(process.argv[2] ?? 120);
const ROUNDS = Number(process.argv[3] ?? 3);
/** Fixtures average about nine lines: this puts ≈ 0.4 % of the lines inside traces. */
const TRACE_EVENT_PROBABILITY = 0.00045;
/** The CLI reads stdin in 64 KB pieces; the same size for both sides. */
const CHUNK_BYTES = 64 * 1024;

let seed = 12345;
function random(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const PATHS = ['/api/orders', '/api/users', '/health', '/api/cart/items', '/static/app.js', '/login'];

function normalLine(i: number): string {
  const ms = String(i % 1000).padStart(3, '0');
  const time = `2024-05-01T12:${String(Math.floor(i / 60000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}.${ms}Z`;
  switch (i % 6) {
    case 0:
      return `${time} INFO  [http-nio-8080-exec-${i % 16}] c.a.s.web.RequestLogger - GET ${pick(PATHS)}/${i} 200 ${i % 97}ms user=${pick(USERS)}`;
    case 1:
      return `May  1 12:00:${String(i % 60).padStart(2, '0')} web-1 nginx[1234]: 10.0.${i % 255}.7 - - "GET ${pick(PATHS)} HTTP/1.1" 200 ${i % 4096}`;
    case 2:
      return JSON.stringify({ level: 'info', time, msg: 'request done', path: pick(PATHS), status: 200, duration_ms: i % 300 });
    case 3:
      return `${time.replace('T', ' ').replace('Z', '')} WARNING app.cache: cache miss for key user:${i} at shard ${i % 8}`;
    case 4:
      return `${time} DEBUG worker picked job ${i} at ${time.slice(11, 19)} from queue ${pick(['default', 'mail', 'billing'])}`;
    default:
      return `${time} ERROR payment gateway returned 502 for order #${i} (retry ${i % 3} of 3) at https://pay.example.com:443/v1`;
  }
}

function bundleCore(work: string): string {
  const outfile = path.join(work, 'traces.cjs');
  buildSync({
    entryPoints: [path.join(__dirname, '../src/core/traces/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

interface ScanResult {
  seconds: number;
  /** User + system CPU of the run: less sensitive than wall time to other processes on a shared machine. */
  cpuSeconds: number;
  found: number;
  frames: number;
}

interface Round {
  split: ScanResult;
  detector: ScanResult;
}

const rate = (mb: number, seconds: number) => `${seconds.toFixed(2)} s = ${(mb / seconds).toFixed(0)} MB/s`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs this script with `--scan` or `--split` in a fresh Node process: each starts cold, as the CLI does. */
function runInChild(mode: '--scan' | '--split', bundle: string, file: string): ScanResult {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, mode, bundle, file], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${mode} run failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ScanResult;
}

function main(): void {
  const work = mkdtempSync(path.join(tmpdir(), 'ff-bench-traces-'));
  try {
    const bundle = bundleCore(work);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const core = require(bundle) as TracesModule;
    const fixtures = path.join(__dirname, '../test/fixtures/traces');
    const traces = readdirSync(fixtures)
      .filter((name) => /\.(?:txt|log)$/.test(name))
      .sort()
      .map((name) => readFileSync(path.join(fixtures, name), 'utf8').replace(/\n$/, ''));
    const file = path.join(work, 'mixed.log');

    // Generate the log.
    const generationStart = Date.now();
    const pieces: string[] = [];
    let size = 0;
    let lines = 0;
    let traceLines = 0;
    let tracesWritten = 0;
    const chunks: string[] = [];
    while (size < TARGET_MB * 1024 * 1024) {
      let piece: string;
      if (random() < TRACE_EVENT_PROBABILITY) {
        piece = pick(traces);
        const n = piece.split('\n').length;
        traceLines += n;
        lines += n;
        tracesWritten++;
      } else {
        piece = normalLine(lines);
        lines++;
      }
      pieces.push(piece);
      size += piece.length + 1;
      if (pieces.length >= 10000) {
        chunks.push(pieces.join('\n') + '\n');
        pieces.length = 0;
      }
    }
    chunks.push(pieces.join('\n') + '\n');
    writeFileSync(file, chunks.join(''));
    chunks.length = 0;
    const bytes = statSync(file).size;
    const mb = bytes / 1024 / 1024;
    console.log(
      `log: ${mb.toFixed(1)} MB, ${lines} lines, ${tracesWritten} trace fixtures inserted (${((traceLines / lines) * 100).toFixed(1)}% of lines), ` +
        `generated in ${((Date.now() - generationStart) / 1000).toFixed(1)} s`,
    );

    // Warm the page cache so neither side pays for the disk.
    spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] });

    const rounds: Round[] = [];
    for (let n = 1; n <= ROUNDS; n++) {
      const round = { split: runInChild('--split', bundle, file), detector: runInChild('--scan', bundle, file) };
      rounds.push(round);
      console.log(
        `round ${n}: line split ${rate(mb, round.split.seconds)}, detector ${rate(mb, round.detector.seconds)}: ` +
          `${(round.split.seconds / round.detector.seconds).toFixed(2)}x (CPU ${round.split.cpuSeconds.toFixed(2)} s vs ${round.detector.cpuSeconds.toFixed(2)} s: ` +
          `${(round.split.cpuSeconds / round.detector.cpuSeconds).toFixed(2)}x)`,
      );
    }
    const last = rounds[rounds.length - 1];
    console.log(
      `the split counts ${last.split.found} lines; the detector finds ${last.detector.found} traces with ${last.detector.frames} frames`,
    );
    console.log(`median of ${rounds.length} rounds:`);
    const row = (label: string, value: string) => console.log(`  ${label.padEnd(34)} ${value}`);
    row('Node line split', `${(mb / median(rounds.map((r) => r.split.seconds))).toFixed(0)} MB/s`);
    row('detector (TraceScanner)', `${(mb / median(rounds.map((r) => r.detector.seconds))).toFixed(0)} MB/s`);
    row('detector / line split', `${median(rounds.map((r) => r.split.seconds / r.detector.seconds)).toFixed(2)}x (goal >= 0.5x)`);
    row('detector / line split, CPU time', `${median(rounds.map((r) => r.split.cpuSeconds / r.detector.cpuSeconds)).toFixed(2)}x`);
    bigInputs(bundle);
    linkFinderCost(core, file);
    rmSync(work, { recursive: true, force: true });
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

/** The detector, streaming the file as the CLI does. */
async function scan(core: TracesModule, file: string): Promise<ScanResult> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const scanner = new core.TraceScanner();
  const decoder = new StringDecoder('utf8');
  let found = 0;
  let frames = 0;
  const count = (traces: Traces.StackTrace[]) => {
    found += traces.length;
    for (const trace of traces) for (const exception of trace.exceptions) frames += exception.frames.length;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) count(scanner.push(decoder.write(chunk as Buffer)));
  count(scanner.push(decoder.end()));
  count(scanner.end());
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSecondsSince(cpu), found, frames };
}

function cpuSecondsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/** The baseline: the same reads and decoding, and each piece split into lines (the last one carried over). */
async function split(file: string): Promise<ScanResult> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lines = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
    const parts = (carry + decoder.write(chunk as Buffer)).split('\n');
    carry = parts.pop() ?? '';
    lines += parts.length;
  }
  if (carry + decoder.end()) lines++;
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSecondsSince(cpu), found: lines, frames: 0 };
}

/** Streams `text` through a scanner in the CLI's piece size. */
function streamText(core: TracesModule, text: string): { seconds: number; traces: number; frames: number } {
  const start = performance.now();
  const scanner = new core.TraceScanner();
  const found = [];
  for (let i = 0; i < text.length; i += CHUNK_BYTES) found.push(...scanner.push(text.slice(i, i + CHUNK_BYTES)));
  found.push(...scanner.end());
  let frames = 0;
  for (const trace of found) for (const exception of trace.exceptions) frames += exception.frames.length;
  return { seconds: (performance.now() - start) / 1000, traces: found.length, frames };
}

/** One 20 MB line (frame-shaped text, no newline) and traces of 150,000 and 300,000 frames, each in a fresh process. */
function bigInputs(bundle: string): void {
  for (const input of ['line', '150000', '300000']) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--big', bundle, input], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`--big ${input} failed: ${child.stderr}`);
    console.log(child.stdout.trimEnd());
  }
}

function bigInput(core: TracesModule, input: string): string {
  if (input === 'line') {
    const text =
      '    at f (/srv/app/a.js:1:2) '.repeat(Math.ceil((20 * 1024 * 1024) / 29)) + '\nTypeError: x\n    at g (/srv/app/b.js:3:4)\n';
    const result = streamText(core, text);
    return `big input: one 20 MB line, then a trace: ${result.seconds.toFixed(2)} s (${result.traces} trace found)`;
  }
  const frames = Number(input);
  const lines = ['Error: deep recursion'];
  for (let i = 0; i < frames; i++) lines.push(`    at step${i % 7} (/srv/app/dist/walk.js:${(i % 900) + 1}:9)`);
  const text = lines.join('\n') + '\n';
  const result = streamText(core, text);
  return `big input: one trace of ${frames} frames (${(text.length / 1024 / 1024).toFixed(1)} MB): ${result.seconds.toFixed(2)} s, ${result.traces} trace(s), ${result.frames} frames`;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Per-line cost of the link finder, as a terminal link provider would call it. */
function linkFinderCost(core: TracesModule, file: string): void {
  const { findFrameLocations, findStackTraces } = core;
  const sample = readFileSync(file, 'utf8')
    .slice(0, 20 * 1024 * 1024)
    .split('\n');
  const measure = (lines: string[]) => {
    for (const line of lines.slice(0, 2000)) findFrameLocations(line); // warm-up
    const times = new Float64Array(lines.length);
    let links = 0;
    for (let i = 0; i < lines.length; i++) {
      const start = process.hrtime.bigint();
      links += findFrameLocations(lines[i]).length;
      times[i] = Number(process.hrtime.bigint() - start) / 1000;
    }
    times.sort();
    return { p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1], links };
  };
  const all = measure(sample);
  const frameLines = sample.filter((line) => findFrameLocations(line).length > 0);
  const frames = measure(frameLines);
  console.log(
    `link finder, all lines (${sample.length}): p50 ${all.p50.toFixed(2)} µs, p99 ${all.p99.toFixed(2)} µs, max ${all.max.toFixed(0)} µs`,
  );
  console.log(
    `link finder, lines with links (${frameLines.length}): p50 ${frames.p50.toFixed(2)} µs, p99 ${frames.p99.toFixed(2)} µs, max ${frames.max.toFixed(0)} µs`,
  );
  // The detector on each line alone (the worst case for a line: nothing before it is reused).
  const times = new Float64Array(sample.length);
  for (let i = 0; i < sample.length; i++) {
    const start = process.hrtime.bigint();
    findStackTraces(sample[i]);
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  times.sort();
  console.log(
    `detector, each line alone (${sample.length}): p50 ${percentile(times, 50).toFixed(2)} µs, p99 ${percentile(times, 99).toFixed(2)} µs, max ${times[times.length - 1].toFixed(0)} µs`,
  );
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadCore = () => require(process.argv[3]) as TracesModule;
if (process.argv[2] === '--scan') {
  void scan(loadCore(), process.argv[4]).then((result) => process.stdout.write(JSON.stringify(result)));
} else if (process.argv[2] === '--split') {
  void split(process.argv[4]).then((result) => process.stdout.write(JSON.stringify(result)));
} else if (process.argv[2] === '--big') {
  process.stdout.write(bigInput(loadCore(), process.argv[4]) + '\n');
} else {
  main();
}
