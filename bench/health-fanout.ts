// Benchmark (not a test): a health refresh of 10 hosts in parallel against one host, each host a
// harness sshd on loopback with its own pooled connection. All ten sshds share this machine's
// cores, so the host-side work of ten reads (each walks /proc) competes for the same CPUs: the
// ratio is an upper bound of what ten real machines would show. A second pair of rows reads only
// /proc/loadavg, so the host-side work is negligible and what remains is the pool's own fan-out.
// Run: node --import tsx bench/health-fanout.ts [runs]
import { cpus } from 'node:os';
import { HealthSampler } from '../src/core/health/sampler';
import { loadSshConfig } from '../src/core/ssh/config';
import { SshPool } from '../src/core/ssh/pool';
import { startSandboxHost, type SandboxHost } from '../test/harness';

const HOSTS = 10;
const RUNS = Number(process.argv[2] ?? 30);

function summary(samples: number[]): { median: number; p90: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p90: at(0.9) };
}

/** Wall time of each run, and this process's CPU time per run (the pool's share of the work). */
async function measure(runs: number, once: () => Promise<unknown>): Promise<{ samples: number[]; cpuMsPerRun: number }> {
  await once(); // warm-up: logins and the first (paired) health sample
  const samples: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await once();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { samples, cpuMsPerRun: (cpu.user + cpu.system) / 1000 / runs };
}

async function main(): Promise<void> {
  const sandboxes: SandboxHost[] = [];
  const pools: SshPool[] = [];
  try {
    for (let i = 1; i <= HOSTS; i++) sandboxes.push(await startSandboxHost({ name: `web-${i}` }));
    // One pool for all hosts, as in the extension; each sandbox has its own ssh_config.
    const configOf = new Map(sandboxes.map((sandbox) => [sandbox.host.name, sandbox.configFile]));
    const pool = new SshPool({ resolveHost: (name) => loadSshConfig({ configFile: configOf.get(name)! }).resolve(name), agentSocket: '' });
    pools.push(pool);
    const runners = await Promise.all(sandboxes.map((sandbox) => pool.connect(sandbox.host.name)));
    const sampler = new HealthSampler();
    const one = await measure(RUNS, () => sampler.sample(runners[0]));
    const all = await measure(RUNS, () => Promise.all(runners.map((runner) => sampler.sample(runner))));
    const readLoad = (runner: (typeof runners)[number]) => runner.exec('cat /proc/loadavg');
    const oneLoad = await measure(RUNS, () => readLoad(runners[0]));
    const allLoad = await measure(RUNS, () => Promise.all(runners.map(readLoad)));
    console.log(`${RUNS} runs each, ${HOSTS} loopback sshd hosts sharing ${cpus().length} cores`);
    console.log(`${'what'.padEnd(44)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(8)} ${'ratio'.padStart(7)} ${'pool CPU ms'.padStart(12)}`);
    for (const [what, single, fanout] of [
      ['health refresh', one, all],
      ['exec `cat /proc/loadavg`', oneLoad, allLoad],
    ] as const) {
      const a = summary(single.samples);
      const b = summary(fanout.samples);
      console.log(`${`${what}, 1 host`.padEnd(44)} ${a.median.toFixed(2).padStart(10)} ${a.p90.toFixed(2).padStart(8)} ${''.padStart(7)} ${single.cpuMsPerRun.toFixed(2).padStart(12)}`);
      console.log(
        `${`${what}, ${HOSTS} hosts in parallel`.padEnd(44)} ${b.median.toFixed(2).padStart(10)} ${b.p90.toFixed(2).padStart(8)} ` +
          `${`${(b.median / a.median).toFixed(2)}x`.padStart(7)} ${fanout.cpuMsPerRun.toFixed(2).padStart(12)}`,
      );
    }
  } finally {
    for (const pool of pools) pool.dispose();
    await Promise.all(sandboxes.map((sandbox) => sandbox.stop()));
  }
}

void main();
