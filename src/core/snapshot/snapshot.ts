// takeSnapshot: all threads' stacks of a live process at one moment, by the engine chosen on the
// host, with the pause it cost the target (docs/architecture.md, "Snapshots").
import { noEvents, type EventPublisher } from '../events';
import type { RemoteRunner } from '../ssh/remote';
import { systemClock, type Clock } from '../util/clock';
import { engineOrder, probeTarget } from './engines';
import { euStackCommand, parseEuStack, type ToolStacks } from './euStack';
import { gdbCommand, parseGdbBacktraces } from './gdb';
import { HostToolError, runHostTool, type HostToolRun } from './hostTool';
import { parseExecutableMappings } from './nativeFrames';
import type { ProcessInfo } from './processes';
import { parseReaderAnswer, readPythonStacks, PythonSnapshotError, runtimeOfVersion } from './python';
import type { PythonStacksReader } from './pythonReader';
import { parsePySpyDump, PY_SPY_COMMAND } from './pySpy';
import type { EngineChoice, EngineName, Snapshot, SnapshotThread } from './types';

export interface TakeSnapshotOptions {
  engine?: EngineChoice;
  events?: EventPublisher;
  clock?: Clock;
  /** Ends a stopping engine's tool (eu-stack, gdb) after this long; the target is continued. */
  toolTimeoutSeconds?: number;
}

/** The result of one engine, before the orchestration adds host, timing and events. */
interface EngineResult {
  threads: SnapshotThread[];
  pauseMs: number;
  takenAt: number;
  runtime?: string;
  warnings: string[];
}

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

function withThreadNames(threads: SnapshotThread[], run: HostToolRun): SnapshotThread[] {
  return threads.map((t) => (t.name === null && run.threadNames.has(t.id) ? { ...t, name: run.threadNames.get(t.id) ?? null } : t));
}

function continuedWarning(run: HostToolRun, engine: EngineName, pid: number): string[] {
  return run.continued > 0 ? [`${engine} left ${run.continued} thread(s) of process ${pid} stopped; they were continued (SIGCONT).`] : [];
}

function requireThreads(host: string, engine: EngineName, pid: number, stacks: ToolStacks, run: HostToolRun): void {
  if (stacks.threads.some((t) => t.frames.length > 0)) return;
  const why = stacks.errors[0] ?? (run.output.trim().split('\n').pop() || `exit code ${run.exitCode}`);
  const permission = /not permitted|denied/i.test(why)
    ? " Run it as the process's user or root, or allow ptrace (kernel.yama.ptrace_scope)."
    : '';
  throw new SnapshotError(`${host}: ${engine} got no stacks from process ${pid}: ${why}.${permission}`);
}

async function runEngine(runner: RemoteRunner, engine: EngineName, pid: number, options: SnapshotAgainOptions): Promise<EngineResult> {
  const timeoutSeconds = options.toolTimeoutSeconds ?? (engine === 'gdb' ? 30 : 10);
  switch (engine) {
    case 'python': {
      const snapshot = options.reader
        ? await options.reader.snapshot({ clock: options.clock })
        : await readPythonStacks(runner, pid, { clock: options.clock });
      return { threads: snapshot.threads, pauseMs: 0, takenAt: snapshot.takenAt, runtime: snapshot.runtime, warnings: [] };
    }
    case 'py-spy': {
      const run = await runHostTool(runner, pid, { tool: 'py-spy', command: () => PY_SPY_COMMAND, timeoutSeconds });
      const stacks = parsePySpyDump(run.output);
      requireThreads(runner.host, engine, pid, stacks, run);
      return {
        threads: withThreadNames(stacks.threads, run),
        pauseMs: 0,
        takenAt: run.startedAt,
        runtime: stacks.pythonVersion ? runtimeOfVersion(stacks.pythonVersion) : undefined,
        warnings: continuedWarning(run, engine, pid),
      };
    }
    case 'eu-stack': {
      const run = await runHostTool(runner, pid, { tool: 'eu-stack', command: euStackCommand, timeoutSeconds });
      const stacks = parseEuStack(run.output, run.marks.get('symbols')?.offset);
      requireThreads(runner.host, engine, pid, stacks, run);
      // eu-stack holds one thread at a time while it unwinds; its run up to the `held` mark bounds the pause of each.
      const held = run.marks.get('held')?.at;
      const pauseMs = held !== undefined ? held - run.startedAt : run.toolMs;
      return {
        threads: withThreadNames(stacks.threads, run),
        pauseMs,
        takenAt: run.startedAt,
        warnings: continuedWarning(run, engine, pid),
      };
    }
    case 'gdb': {
      const run = await runHostTool(runner, pid, { tool: 'gdb', command: gdbCommand, timeoutSeconds, readMaps: true });
      const stacks = parseGdbBacktraces(run.output, parseExecutableMappings(run.maps), run.marks.get('pybt')?.offset);
      requireThreads(runner.host, engine, pid, stacks, run);
      const attaching = run.marks.get('attaching')?.at;
      const detached = run.marks.get('detached')?.at;
      // gdb stops every thread from its attach to its detach; without both marks, its whole run.
      const pauseMs = attaching !== undefined && detached !== undefined ? detached - attaching : run.toolMs;
      return {
        threads: withThreadNames(stacks.threads, run),
        pauseMs,
        takenAt: attaching ?? run.startedAt,
        warnings: [`gdb stopped every thread of process ${pid} for ${Math.round(pauseMs)} ms.`, ...continuedWarning(run, engine, pid)],
      };
    }
  }
}

export interface SnapshotAgainOptions extends Omit<TakeSnapshotOptions, 'engine'> {
  /** For the python engine: a reader kept alive for this process answers (no interpreter start). */
  reader?: PythonStacksReader;
}

/** Another snapshot of a process already described, by the engine an earlier snapshot used: no probing. */
export async function snapshotAgain(
  runner: RemoteRunner,
  process: SnapshotTarget,
  engine: EngineName,
  options: SnapshotAgainOptions = {},
): Promise<Snapshot> {
  if (options.reader && options.reader.pid !== process.pid)
    throw new Error(`a reader for process ${options.reader.pid} cannot read ${process.pid}`);
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const result = await runEngine(runner, engine, process.pid, options);
  return finish(runner.host, process, engine, result, result.warnings, clock.now() - started, options.events ?? noEvents);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The process's stacks; a failing engine falls back to the next one of `auto`'s order, with a warning. */
/**
 * What a further snapshot needs of the process (snapshotAgain): a ProcessInfo when the probe
 * listed it, or only the pid and the runtime when the CPython reader answered at once.
 */
export type SnapshotTarget = Pick<ProcessInfo, 'pid' | 'runtimeLabel'>;

export async function takeSnapshot(
  runner: RemoteRunner,
  pid: number,
  options: TakeSnapshotOptions = {},
): Promise<Snapshot & { process: SnapshotTarget }> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const choice = options.engine ?? 'auto';
  const probe = await probeTarget(runner, pid, { readPython: choice === 'auto' || choice === 'python' });
  if (!probe.listed) {
    // the CPython reader read the stacks in the probe: that is the snapshot
    const result = pythonResult(runner.host, pid, probe.python, started);
    const target: SnapshotTarget = { pid, runtimeLabel: result.runtime ?? 'cpython' };
    return { ...finish(runner.host, target, 'python', result, [], clock.now() - started, options.events ?? noEvents), process: target };
  }
  const { process, tools, python } = probe;
  if (!process) throw new SnapshotError(`${runner.host}: there is no process ${pid}; list the host's processes and pick a running one.`);
  const order = engineOrder(choice, process, tools);
  if (order.length === 0) {
    throw new SnapshotError(
      `${runner.host}: no snapshot engine for process ${pid} (${process.runtimeLabel}): install elfutils (eu-stack) or gdb on the host.`,
    );
  }
  const warnings: string[] = [];
  for (const [index, engine] of order.entries()) {
    try {
      // the probe already ran the CPython reader: its answer is this engine's result
      const result =
        engine === 'python' && python ? pythonResult(runner.host, pid, python, started) : await runEngine(runner, engine, pid, options);
      return {
        ...finish(
          runner.host,
          process,
          engine,
          result,
          [...warnings, ...result.warnings],
          clock.now() - started,
          options.events ?? noEvents,
        ),
        process,
      };
    } catch (error) {
      const last = index === order.length - 1;
      if (last || isProcessGone(error)) throw error;
      warnings.push(`${engine}: ${errorText(error)} Fell back to ${order[index + 1]}.`);
    }
  }
  throw new SnapshotError(`${runner.host}: no engine could snapshot process ${pid}.`);
}

/** The process exited: no other engine can read it either. */
export function isProcessGone(error: unknown): boolean {
  return (error instanceof HostToolError || error instanceof PythonSnapshotError) && error.kind === 'noProcess';
}

function pythonResult(host: string, pid: number, answer: { stdout: string; stderr: string }, takenAt: number): EngineResult {
  const { runtime, threads } = parseReaderAnswer(host, pid, answer.stdout, answer.stderr);
  return { threads, pauseMs: 0, takenAt, runtime, warnings: [] };
}

function finish(
  host: string,
  process: SnapshotTarget,
  engine: EngineName,
  result: EngineResult,
  warnings: string[],
  wallMs: number,
  events: EventPublisher,
): Snapshot {
  const snapshot: Snapshot = {
    host,
    pid: process.pid,
    runtime: result.runtime ?? process.runtimeLabel,
    engine,
    pauseMs: Math.round(result.pauseMs * 10) / 10,
    wallMs: Math.round(wallMs),
    takenAt: Math.round(result.takenAt),
    threads: result.threads,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  events.publish('snapshot.taken', 'snapshot', {
    host,
    pid: snapshot.pid,
    engine,
    runtime: snapshot.runtime,
    threads: snapshot.threads.length,
    pauseMs: snapshot.pauseMs,
    wallMs: snapshot.wallMs,
  });
  return snapshot;
}
