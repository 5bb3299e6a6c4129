// Which runtime a process runs, from what /proc shows of it: the executable's name, the shared
// libraries in its maps, and a Go build ID note at the start of the executable. This decides
// the snapshot engine (docs/architecture.md, "Snapshots: picking a process").

export type Runtime =
  | { kind: 'cpython'; version: string }
  | { kind: 'node' }
  | { kind: 'jvm' }
  | { kind: 'go' }
  | { kind: 'native' }
  /** /proc/PID/exe could not be read: a kernel thread, or a process of another user. */
  | { kind: 'unknown' };

/** What the listing script learned about one process. */
export interface RuntimeEvidence {
  /** The executable's path (readlink of /proc/PID/exe), or undefined when it was unreadable. */
  exe?: string;
  /** The first libpython/libnode/libjvm shared object name in /proc/PID/maps. */
  library?: string;
  /** The executable starts with a Go build ID note. */
  goBuildId: boolean;
}

const PYTHON_EXE = /^python(\d+\.\d+)/;
const PYTHON_LIB = /^libpython(\d+\.\d+)/;

export function detectRuntime(evidence: RuntimeEvidence): Runtime {
  if (evidence.exe === undefined) return { kind: 'unknown' };
  const exeName =
    evidence.exe
      .replace(/ \(deleted\)$/, '')
      .split('/')
      .pop() ?? '';
  const python = PYTHON_EXE.exec(exeName) ?? PYTHON_LIB.exec(evidence.library ?? '');
  if (python) return { kind: 'cpython', version: python[1] };
  if (exeName === 'node' || exeName === 'nodejs' || evidence.library?.startsWith('libnode')) return { kind: 'node' };
  if (evidence.library?.startsWith('libjvm')) return { kind: 'jvm' };
  if (evidence.goBuildId) return { kind: 'go' };
  return { kind: 'native' };
}

/** "cpython 3.11", "node", …: the snapshot JSON's `runtime`. */
export function runtimeLabel(runtime: Runtime): string {
  return runtime.kind === 'cpython' ? `cpython ${runtime.version}` : runtime.kind;
}
