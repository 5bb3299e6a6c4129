// Benchmark (not a test): a health refresh of 10 hosts in parallel against one host, each host a
// harness sshd on loopback with its own pooled connection. All ten sshds share this machine's
// cores, so the host-side work of ten reads (each walks /proc) competes for the same CPUs: the
// ratio is an upper bound of what ten real machines would show. A second pair of rows reads only
// /proc/loadavg, so the host-side work is negligible and what remains is the pool's own fan-out.
// "host CPU" is what the sshds and everything they ran used per run; with the pool's CPU it gives
// the floor of the parallel row: ten runs' CPU spread over this machine's cores.
// Run: node --import tsx bench/health-fanout.ts [runs]
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { HealthSampler } from '../src/core/health/sampler';
import type { SshPool } from '../src/core/ssh/pool';
import { descendantsOf, startSandboxHost, type SandboxHost } from '../test/harness';
import { benchPool, summary } from './common';

const HOSTS = 10;
const RUNS = Number(process.argv[2] ?? 30);

/** CPU ms used so far by the sshds this process started, their sessions and what those ran. */
function hostCpuMs(): number {
  let ticks = 0;
  for (const pid of descendantsOf(process.pid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // utime stime cutime cstime: a session's commands count in cutime/cstime once it reaps them.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // Ended meanwhile.
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

interface Measured {
  samples: number[];
  /** This process's CPU time per run (the pool's share of the work). */
  poolCpuMs: number;
  hostCpuMs: number;
}

async function measure(runs: number, once: () => Promise<unknown>): Promise<Measured> {
  await once(); // warm-up: logins and the first (paired) health sample
  const samples: number[] = [];
  const cpuBefore = process.cpuUsage();
  const hostBefore = hostCpuMs();
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await once();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { samples, poolCpuMs: (cpu.user + cpu.system) / 1000 / runs, hostCpuMs: (hostCpuMs() - hostBefore) / runs };
}

async function main(): Promise<void> {
  const sandboxes: SandboxHost[] = [];
  const pools: SshPool[] = [];
  try {
    for (let i = 1; i <= HOSTS; i++) sandboxes.push(await startSandboxHost({ name: `web-${i}` }));
    // One pool for all hosts, as in the extension; each sandbox has its own ssh_config.
    const configOf = new Map(sandboxes.map((sandbox) => [sandbox.host.name, sandbox.configFile]));
    const pool = benchPool((name) => configOf.get(name)!);
    pools.push(pool);
    const runners = await Promise.all(sandboxes.map((sandbox) => pool.connect(sandbox.host.name)));
    const sampler = new HealthSampler();
    const one = await measure(RUNS, () => sampler.sample(runners[0]));
    const all = await measure(RUNS, () => Promise.all(runners.map((runner) => sampler.sample(runner))));
    const readLoad = (runner: (typeof runners)[number]) => runner.exec('cat /proc/loadavg');
    const oneLoad = await measure(RUNS, () => readLoad(runners[0]));
    const allLoad = await measure(RUNS, () => Promise.all(runners.map(readLoad)));
    const cores = cpus().length;
    console.log(`${RUNS} runs each, ${HOSTS} loopback sshd hosts sharing ${cores} cores`);
    const columns = ['median ms', 'p90 ms', 'ratio', 'pool CPU ms', 'host CPU ms', 'CPU floor ms'];
    const widths = [10, 8, 7, 12, 12, 13];
    const row = (what: string, cells: string[]) =>
      console.log(`${what.padEnd(44)} ${cells.map((cell, i) => cell.padStart(widths[i])).join(' ')}`);
    row('what', columns);
    for (const [what, single, fanout] of [
      ['health refresh', one, all],
      ['exec `cat /proc/loadavg`', oneLoad, allLoad],
    ] as const) {
      const a = summary(single.samples);
      const b = summary(fanout.samples);
      const figures = (m: Measured) => [m.poolCpuMs.toFixed(2), m.hostCpuMs.toFixed(1)];
      row(`${what}, 1 host`, [a.median.toFixed(2), a.p90.toFixed(2), '', ...figures(single), '']);
      // No run can be shorter than all the CPU it needs spread over every core.
      const floor = (fanout.poolCpuMs + fanout.hostCpuMs) / cores;
      row(`${what}, ${HOSTS} hosts in parallel`, [
        b.median.toFixed(2),
        b.p90.toFixed(2),
        `${(b.median / a.median).toFixed(2)}x`,
        ...figures(fanout),
        `${floor.toFixed(1)} (${(floor / a.median).toFixed(2)}x)`,
      ]);
    }
  } finally {
    for (const pool of pools) pool.dispose();
    await Promise.all(sandboxes.map((sandbox) => sandbox.stop()));
  }
}

void main();
