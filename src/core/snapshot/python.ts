// The CPython engine of stack snapshots: reads every thread's Python stack of a live process from
// outside, without stopping it and without installing anything on the host. A stdlib-only script
// (pystacks.py) runs on the host under the target's own interpreter and reads the target's memory
// through /proc/PID/mem. See docs/architecture.md, "Snapshots: CPython".
import type { EventPublisher } from '../events';
import type { RemoteRunner } from '../ssh/remote';
import type { Clock } from '../util/clock';

/** One frame, in the traces JSON's frame shape (DESIGN.md). */
export interface SnapshotFrame {
  function: string;
  file: string | null;
  /** 1-based; null when the line table could not be read. */
  line: number | null;
  /** CPython frames carry no column here. */
  column: null;
  app: boolean;
  /** The workspace path; null until a path mapping sets it (the engine does not map). */
  local: string | null;
}

export interface SnapshotThread {
  /** The native thread id (TID), as in /proc/PID/task. */
  id: number;
  /** The thread's name where known (MainThread, or the kernel's comm when the thread set one), else null. */
  name: string | null;
  /** Innermost first. Empty for a thread that runs no Python code at this moment. */
  frames: SnapshotFrame[];
}

/** DESIGN.md's "snapshot:" JSON shape, for the python engine. */
export interface PythonSnapshot {
  host: string;
  pid: number;
  /** "cpython 3.11" */
  runtime: string;
  engine: 'python';
  /** The target is never held up by this engine. */
  pauseMs: 0;
  /** From the request to the parsed answer, ssh round trip included. */
  wallMs: number;
  /** Epoch ms when the host-side reader started. */
  takenAt: number;
  threads: SnapshotThread[];
}

export interface ReadPythonStacksOptions {
  events?: EventPublisher;
  clock?: Clock;
  /** Ends the host-side reader after this long (default 10 s). */
  timeoutMs?: number;
  /** The interpreter that runs the reader; default: the target's own, from /proc/PID/exe. */
  python?: string;
}

/** Why a snapshot could not be taken; `message` names the host and what to do next. */
export type PythonSnapshotFailure = 'noProcess' | 'notPython' | 'permission' | 'unsupported' | 'unreadable' | 'failed';

export class PythonSnapshotError extends Error {
  constructor(
    readonly kind: PythonSnapshotFailure,
    message: string,
  ) {
    super(message);
    this.name = 'PythonSnapshotError';
  }
}

export async function readPythonStacks(runner: RemoteRunner, pid: number, options: ReadPythonStacksOptions = {}): Promise<PythonSnapshot> {
  void options;
  throw new PythonSnapshotError('failed', `${runner.host}: the CPython snapshot of process ${pid} is not built yet.`);
}
