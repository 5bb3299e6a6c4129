// Stack snapshots of a live process: the shapes every engine produces and the CLI prints.
// The snapshot JSON (docs/architecture.md, "Contracts") is a public contract: fields may be added, never renamed.
// See docs/architecture.md, "Snapshots".

/** One frame, in the traces JSON's frame shape. */
export interface SnapshotFrame {
  function: string;
  /** The source file where the debug info gives one, else the module (`/lib/…/libc.so.6`), else null. */
  file: string | null;
  /** 1-based; null when the debug info gives none. */
  line: number | null;
  /** Snapshots carry no column. */
  column: null;
  /** Application code, as opposed to libc, the runtime or a library. */
  app: boolean;
  /** The workspace path; null until a path mapping sets it (engines do not map). */
  local: string | null;
}

export interface SnapshotThread {
  /** The native thread id (TID), as in /proc/PID/task; 0 when it could not be read (a thread ending). */
  id: number;
  /** The thread's name where known (the kernel's comm, or Python's thread name), else null. */
  name: string | null;
  /** Innermost first. Empty for a thread that runs no code the engine can name at this moment. */
  frames: SnapshotFrame[];
  /** Set when the stack kept changing under every read and could not be read whole (python engine). */
  incomplete?: true;
}

export type EngineName = 'python' | 'py-spy' | 'eu-stack' | 'gdb';
export type EngineChoice = EngineName | 'auto';
export const ENGINE_NAMES: readonly EngineName[] = ['python', 'py-spy', 'eu-stack', 'gdb'];

export interface Snapshot {
  host: string;
  pid: number;
  /** "cpython 3.11", "node", "jvm", "go", "native". */
  runtime: string;
  engine: EngineName;
  /**
   * How long the target was held up, in ms: 0 for engines that never stop it (python, py-spy
   * --nonblocking); for eu-stack and gdb the time the tool held it, measured on the host
   * (docs/architecture.md, "Snapshots: the pause").
   */
  pauseMs: number;
  /** From the request to the parsed answer, ssh round trips included. */
  wallMs: number;
  /** Epoch ms when the engine started on the host. */
  takenAt: number;
  threads: SnapshotThread[];
  /** Said to the user beside the stacks: a pause worth knowing about, an engine that fell back. */
  warnings?: string[];
}
