// `firefighter sample HOST PID [--seconds N] [--hz H] [--idle] [--out FILE]`: a sampling profile of
// a live process, hottest stacks first; --idle keeps idle threads (CPython); --out writes speedscope JSON (FILE ending in .json) or collapsed
// stacks (any other name) for other tools (docs/architecture.md, "Snapshots: sampling").
import { writeFileSync } from 'node:fs';
import type { EventPublisher } from '../core/events';
import { frameLabel } from '../core/snapshot/profile';
import { sampleProcess, type SampleResult } from '../core/snapshot/sample';
import { connectOrExitCode, errorMessage, ExitCode, type CliCommand, type CliConnect, hostAndPid } from './command';

const usage = 'usage: firefighter sample HOST PID [--seconds N] [--hz H] [--idle] [--out FILE]\n';
const SHOWN_STACKS = 20;

export function formatSampleText(result: SampleResult): string {
  const { profile } = result;
  const stacks = profile.hottest();
  const total = stacks.reduce((sum, s) => sum + s.count, 0);
  const lines = [
    `${result.host} process ${result.pid} (${result.runtime}): ${profile.samples} samples by ${result.engine}, ${stacks.length} distinct stacks`,
  ];
  if (result.idleStacks) lines.push(`${result.idleStacks} idle thread sightings left out (--idle keeps them)`);
  if (result.failures > 0) lines.push(`warning: ${result.failures} snapshot(s) failed: ${result.firstFailure}`);
  for (const stack of stacks.slice(0, SHOWN_STACKS)) {
    const share = total > 0 ? ((100 * stack.count) / total).toFixed(1) : '0.0';
    lines.push('', `${String(stack.count).padStart(6)}  ${share.padStart(5)}%`);
    for (const frame of [...stack.frames].reverse()) lines.push(`        ${frameLabel(frame)}`);
  }
  return lines.join('\n') + '\n';
}

function positiveNumber(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

export function makeSampleCommand(connect: CliConnect, events?: EventPublisher): CliCommand {
  return async (args, io) => {
    let seconds = 5;
    // the CPython engine samples on the host, where 100 Hz costs the target nothing measurable
    let hz = 100;
    let idle = false;
    let out: string | undefined;
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === '--seconds' || arg === '--hz') {
        const value = positiveNumber(args[++i]);
        if (value === undefined) {
          io.stderr.write(`firefighter: ${arg} needs a positive number\n${usage}`);
          return ExitCode.usage;
        }
        if (arg === '--seconds') seconds = value;
        else hz = value;
      } else if (arg === '--idle') {
        idle = true;
      } else if (arg === '--out') {
        out = args[++i];
        if (out === undefined) {
          io.stderr.write(`firefighter: --out needs a file\n${usage}`);
          return ExitCode.usage;
        }
      } else positional.push(arg);
    }
    const target = hostAndPid(positional);
    if (!target) {
      io.stderr.write(usage);
      return ExitCode.usage;
    }
    const runner = await connectOrExitCode(connect, target.host, io);
    if (typeof runner === 'number') return runner;
    try {
      const result = await sampleProcess(runner, target.pid, { seconds, hz, idle, events, signal: io.signal });
      if (out !== undefined) {
        const name = `${result.host} process ${result.pid}`;
        writeFileSync(out, out.endsWith('.json') ? JSON.stringify(result.profile.toSpeedscope(name)) : result.profile.toCollapsed());
      }
      io.stdout.write(formatSampleText(result));
      return ExitCode.ok;
    } catch (error) {
      io.stderr.write(`firefighter: ${errorMessage(error)}\n`);
      return 1;
    }
  };
}
