// Benchmark (not a test): follow a 2M-line (~190 MB) log from its first byte into a null sink
// through the pool, against OpenSSH `ssh host tail -c +1 FILE > /dev/null` on the same harness
// host in the same run. Reports throughput of both and the follower's peak RSS above idle.
// Run: node --expose-gc --import tsx bench/tail.ts [runs]
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LogFollower } from '../src/core/logs/follower';
import type { RemoteRunner } from '../src/core/ssh/remote';
import { makeTempDir, startSandboxHost } from '../test/harness';
import { benchPool } from './common';

const RUNS = Number(process.argv[2] ?? 3);
const LINES = 2_000_000;

/** ~95-byte access-log lines, numbered (2M lines ≈ 190 MB). */
function writeLog(path: string): number {
  const fd = openSync(path, 'w');
  const levels = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR'];
  let batch = '';
  for (let i = 1; i <= LINES; i++) {
    batch += `2024-05-01T12:00:00.${String(i % 1000).padStart(3, '0')}Z ${levels[i % 5].padEnd(5)} req=${String(i).padStart(8, '0')} GET /api/orders/checkout?page=2 200 ${String(i % 997).padStart(3, '0')}ms ua=curl/8\n`;
    if (i % 20_000 === 0) {
      writeSync(fd, batch);
      batch = '';
    }
  }
  closeSync(fd);
  return statSync(path).size;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function followOnce(runner: RemoteRunner, path: string): Promise<{ seconds: number; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  const started = process.hrtime.bigint();
  let lines = 0;
  const follower = new LogFollower({ host: runner.host, path, connect: async () => runner, fromLine: 1, buffer: { maxLines: 10_000 } });
  await new Promise<void>((resolve, reject) => {
    follower.onDidAppend((batch) => {
      lines += batch.length; // the null sink
      if (lines >= LINES) resolve();
    });
    follower.onDidChangeState((state) => state === 'failed' && reject(follower.error));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  follower.dispose();
  return { seconds, peakRss };
}

async function opensshOnce(configFile: string, host: string, path: string): Promise<number> {
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ssh', ['-F', configFile, '-o', 'BatchMode=yes', host, `tail -c +1 ${path}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh exited ${code}`))));
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const mib = (bytes: number) => bytes / 1024 / 1024;

async function main(): Promise<void> {
  const dir = makeTempDir('bench-tail');
  const path = join(dir, 'access.log');
  const size = writeLog(path);
  const sandbox = await startSandboxHost({ name: 'bench-1' });
  const pool = benchPool(sandbox.configFile);
  try {
    const runner = await pool.connect('bench-1');
    await runner.exec('true');
    gc();
    await new Promise((r) => setTimeout(r, 200));
    const idleRss = process.memoryUsage.rss();
    const follower: { seconds: number; peakRss: number }[] = [];
    const openssh: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      openssh.push(await opensshOnce(sandbox.configFile, 'bench-1', path));
      gc();
      follower.push(await followOnce(runner, path));
      gc();
    }
    const best = (xs: number[]) => Math.min(...xs);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const fSec = follower.map((f) => f.seconds);
    const peakAbove = Math.max(...follower.map((f) => f.peakRss)) - idleRss;
    console.log(
      `follow ${LINES.toLocaleString('en-US')} lines (${mib(size).toFixed(0)} MiB) from the start, ${RUNS} runs each, loopback sshd`,
    );
    console.log(`${'what'.padEnd(40)} ${'median s'.padStart(9)} ${'best s'.padStart(8)} ${'MiB/s'.padStart(8)}`);
    const row = (what: string, xs: number[]) =>
      console.log(
        `${what.padEnd(40)} ${median(xs).toFixed(2).padStart(9)} ${best(xs).toFixed(2).padStart(8)} ${(mib(size) / median(xs)).toFixed(0).padStart(8)}`,
      );
    row('LogFollower via pool (null sink)', fSec);
    row('OpenSSH ssh host tail -c +1 > /dev/null', openssh);
    console.log(`throughput vs OpenSSH: ${(median(openssh) / median(fSec)).toFixed(2)}x (goal >= 1.0x)`);
    console.log(`follower peak RSS above idle: ${mib(peakAbove).toFixed(1)} MiB (idle ${mib(idleRss).toFixed(0)} MiB; goal <= 64 MiB)`);
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
