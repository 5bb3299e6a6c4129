// eu-stack (elfutils): native stacks of every thread, for native code, Go and the native side of
// any runtime. It stops one thread at a time while it unwinds it (docs/architecture.md,
// "Snapshots: engines"). `-m` names each frame's module, `-s` its source file and line.
import { nativeFrame } from './nativeFrames';
import type { SnapshotThread } from './types';

/** The command the host runs; `$pid` is set by the host script. */
export const EU_STACK_COMMAND = 'eu-stack -m -s -i -p "$pid"';

export interface ToolStacks {
  threads: SnapshotThread[];
  /** The tool's own complaints (a thread it could not unwind), one line each. */
  errors: string[];
}

const FRAME = /^#\d+\s+0x([0-9a-f]+)(?:\s(.*))?$/;
const SOURCE = /^\s+(\S.*?):(\d+)(?::\d+)?$/;

/** `#3  0x000055d0956bb1be parked_in_sleep - /srv/app/bin/app` (name and module may be missing). */
function parseFrameLine(match: RegExpExecArray): { address: number; name: string | null; module?: string } {
  const address = parseInt(match[1], 16);
  const rest = (match[2] ?? '').trim();
  if (rest.startsWith('- ')) return { address, name: null, module: rest.slice(2) };
  const dash = rest.lastIndexOf(' - ');
  if (dash > 0 && /^[/[]/.test(rest.slice(dash + 3))) return { address, name: rest.slice(0, dash), module: rest.slice(dash + 3) };
  return { address, name: rest || null };
}

export function parseEuStack(output: string): ToolStacks {
  const threads: SnapshotThread[] = [];
  const errors: string[] = [];
  let thread: SnapshotThread | undefined;
  let pending: { address: number; name: string | null; module?: string; source?: { file: string; line: number | null } } | undefined;
  const flush = () => {
    if (pending && thread) thread.frames.push(nativeFrame({ function: pending.name, address: pending.address, module: pending.module, source: pending.source }));
    pending = undefined;
  };
  for (const line of output.split('\n')) {
    const tid = /^TID (\d+):$/.exec(line);
    if (tid) {
      flush();
      thread = { id: Number(tid[1]), name: null, frames: [] };
      threads.push(thread);
      continue;
    }
    const frame = FRAME.exec(line);
    if (frame) {
      flush();
      pending = parseFrameLine(frame);
      continue;
    }
    const source = pending && !pending.source ? SOURCE.exec(line) : null;
    if (source && pending) {
      pending.source = { file: source[1], line: Number(source[2]) };
      continue;
    }
    if (line.startsWith('eu-stack: ')) errors.push(line.slice(10));
  }
  flush();
  return { threads, errors };
}
