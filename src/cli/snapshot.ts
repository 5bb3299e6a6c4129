// `firefighter snapshot HOST PID [--engine auto|python|py-spy|eu-stack|gdb] [--json]`: every
// thread's stack of a live process, by the engine chosen on the host (docs/architecture.md,
// "Snapshots").
import type { EventPublisher } from '../core/events';
import { takeSnapshot } from '../core/snapshot/snapshot';
import { ENGINE_NAMES, type EngineChoice, type Snapshot } from '../core/snapshot/types';
import { connectOrExitCode, errorMessage, ExitCode, type CliCommand, type CliConnect, hostAndPid } from './command';

const usage = 'usage: firefighter snapshot HOST PID [--engine auto|python|py-spy|eu-stack|gdb] [--json]\n';

function frameText(frame: Snapshot['threads'][number]['frames'][number]): string {
  const where = frame.file === null ? '' : ` (${frame.file}${frame.line === null ? '' : `:${frame.line}`})`;
  return `${frame.function}${where}`;
}

export function formatSnapshotText(snapshot: Snapshot): string {
  const lines = [
    `${snapshot.host} process ${snapshot.pid} (${snapshot.runtime}): ${snapshot.threads.length} threads by ${snapshot.engine}, pause ${snapshot.pauseMs} ms, took ${snapshot.wallMs} ms`,
    ...(snapshot.warnings ?? []).map((w) => `warning: ${w}`),
  ];
  for (const thread of snapshot.threads) {
    lines.push('', `Thread ${thread.id}${thread.name === null ? '' : ` "${thread.name}"`}`);
    thread.frames.forEach((frame, i) => lines.push(`  #${i} ${frameText(frame)}`));
  }
  return lines.join('\n') + '\n';
}

export function parseEngine(value: string | undefined): EngineChoice | undefined {
  return value === 'auto' || ENGINE_NAMES.includes(value as never) ? (value as EngineChoice) : undefined;
}

export function makeSnapshotCommand(connect: CliConnect, events?: EventPublisher): CliCommand {
  return async (args, io) => {
    let json = false;
    let engine: EngineChoice = 'auto';
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--json') json = true;
      else if (args[i] === '--engine') {
        const chosen = parseEngine(args[++i]);
        if (!chosen) {
          io.stderr.write(`firefighter: --engine needs one of auto, ${ENGINE_NAMES.join(', ')}\n${usage}`);
          return ExitCode.usage;
        }
        engine = chosen;
      } else positional.push(args[i]);
    }
    const target = hostAndPid(positional);
    if (!target) {
      io.stderr.write(usage);
      return ExitCode.usage;
    }
    const runner = await connectOrExitCode(connect, target.host, io);
    if (typeof runner === 'number') return runner;
    try {
      const taken = await takeSnapshot(runner, target.pid, { engine, events });
      // The JSON is the snapshot shape (docs/architecture.md, "Contracts"): the process details the engine choice used stay out.
      const snapshot: Snapshot = { ...taken };
      delete (snapshot as Partial<typeof taken>).process;
      io.stdout.write(json ? `${JSON.stringify(snapshot)}\n` : formatSnapshotText(snapshot));
      return ExitCode.ok;
    } catch (error) {
      io.stderr.write(`firefighter: ${errorMessage(error)}\n`);
      return 1;
    }
  };
}
