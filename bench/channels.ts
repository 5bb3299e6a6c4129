// Benchmark (not a test): what a new channel costs on a host the pool is already connected to,
// against a fresh OpenSSH `ssh host true` (TCP, key exchange, login, session) in the same run.
// Measured: an exec channel running `true`, a pty channel (login shell to its first prompt), and
// a health read. The host is a harness sshd on loopback, so network latency is ~0 and the ratio
// is a floor: over a real network each of ssh's extra round trips costs an RTT.
// Run: node --import tsx bench/channels.ts [runs]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HealthSampler } from '../src/core/health/sampler';
import { startSandboxHost } from '../test/harness';
import { benchPool, summary } from './common';

const RUNS = Number(process.argv[2] ?? 40);
const run = promisify(execFile);

async function measure(runs: number, once: () => Promise<unknown>): Promise<number[]> {
  await once(); // warm-up: first use pays for module loading and, for the pool, the login
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await once();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}

async function main(): Promise<void> {
  const sandbox = await startSandboxHost({ name: 'bench-1' });
  const pool = benchPool(sandbox.configFile);
  try {
    const runner = await pool.connect('bench-1');
    const sampler = new HealthSampler();
    const rows: [string, number[]][] = [
      ['pooled exec channel `true`', await measure(RUNS, () => runner.exec('true'))],
      [
        'pooled pty channel (shell to first prompt)',
        await measure(RUNS, async () => {
          const shell = await runner.openPty(undefined, { cols: 80, rows: 24 });
          await new Promise((resolve) => shell.stdout.once('data', resolve));
          shell.close();
          await shell.exit;
        }),
      ],
      ['pooled health read (refresh)', await measure(RUNS, () => sampler.sample(runner))],
      [
        'fresh OpenSSH `ssh host true`',
        await measure(RUNS, () => run('ssh', ['-F', sandbox.configFile, '-o', 'BatchMode=yes', 'bench-1', 'true'])),
      ],
    ];
    const baseline = summary(rows[rows.length - 1][1]).median;
    console.log(
      `channels on a connected host vs fresh OpenSSH, ${RUNS} runs each (loopback sshd, OpenSSH ${(await run('ssh', ['-V'])).stderr.trim()})`,
    );
    console.log(`${'what'.padEnd(44)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(8)} ${'vs ssh'.padStart(8)}`);
    for (const [what, samples] of rows) {
      const { median, p90 } = summary(samples);
      console.log(
        `${what.padEnd(44)} ${median.toFixed(2).padStart(10)} ${p90.toFixed(2).padStart(8)} ${`${(baseline / median).toFixed(1)}x`.padStart(8)}`,
      );
    }
  } finally {
    pool.dispose();
    await sandbox.stop();
  }
}

void main();
