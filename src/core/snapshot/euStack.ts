// eu-stack (elfutils): native stacks of every thread, for native code, Go and the native side of
// any runtime. It stops one thread at a time while it unwinds it, and would keep it stopped while
// it looks up names and source lines; so it only unwinds (`-q -b`: addresses, modules, build
// IDs), and `eu-addr2line -p` names the addresses afterwards from the process's mapped files,
// without stopping it (docs/architecture.md, "Snapshots: engines").
import { nativeFrame, type NativeFrameParts } from './nativeFrames';
import type { SnapshotThread } from './types';

/**
 * The host's commands (`$pid`, `$limit` and the marks come from the host script). Between the
 * `held` and `symbols` marks: each distinct frame address (load address + pc offset, which
 * eu-stack already moved into the call instruction for callers), named by eu-addr2line.
 */
export function euStackCommand(marker: (name: string) => string): string {
  return `raw=$($limit eu-stack -q -b -m -p "$pid" 2>&1); status=$?
${marker('held')}
printf '%s\\n' "$raw"
addresses=$(printf '%s\\n' "$raw" | sed -n 's/^ *\\[[0-9a-f]*\\]@\\(0x[0-9a-f]*\\)+\\(0x[0-9a-f]*\\)$/\\1 \\2/p' | while read -r base offset; do printf '0x%x\\n' $((base + offset)); done | sort -u)
${marker('symbols')}
[ -z "$addresses" ] || $limit eu-addr2line -p "$pid" -a -f -i -C $addresses
(exit $status)`;
}

export interface ToolStacks {
  threads: SnapshotThread[];
  /** The tool's own complaints (a thread it could not unwind), one line each. */
  errors: string[];
}

interface RawFrame {
  pc: number;
  module?: string;
  /** The address eu-addr2line was asked about, when eu-stack knew the module. */
  lookup?: number;
}

const FRAME = /^#\d+\s+0x([0-9a-f]+)(?:\s+-\s+(\S.*))?$/;
const BUILD_ID = /^\s+\[[0-9a-f]*\]@0x([0-9a-f]+)\+0x([0-9a-f]+)$/;

/** eu-addr2line -a -f -i: an address line, then function and `file:line[:col]` pairs, innermost inline first. */
export function parseAddr2line(output: string): Map<number, { function: string | null; source?: { file: string; line: number | null } }[]> {
  const names = new Map<number, { function: string | null; source?: { file: string; line: number | null } }[]>();
  const lines = output.split('\n');
  let current: { function: string | null; source?: { file: string; line: number | null } }[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const address = /^0x([0-9a-f]+)$/.exec(lines[i]);
    if (address) {
      current = [];
      names.set(parseInt(address[1], 16), current);
      continue;
    }
    if (!current || i + 1 >= lines.length || /^0x[0-9a-f]+$/.test(lines[i + 1])) continue;
    const location = /^(.+?):(\d+)(?::\d+)?$/.exec(lines[i + 1]);
    const known = location && location[1] !== '??' && location[2] !== '0';
    current.push({
      function: lines[i] === '??' ? null : lines[i],
      ...(known ? { source: { file: location[1], line: Number(location[2]) } } : {}),
    });
    i++;
  }
  return names;
}

/** The output of euStackCommand; `symbolsOffset` is where eu-addr2line's part starts. */
export function parseEuStack(output: string, symbolsOffset = output.length): ToolStacks {
  const names = parseAddr2line(output.slice(symbolsOffset));
  const threads: { id: number; frames: RawFrame[] }[] = [];
  const errors: string[] = [];
  let thread: { id: number; frames: RawFrame[] } | undefined;
  for (const line of output.slice(0, symbolsOffset).split('\n')) {
    const tid = /^TID (\d+):$/.exec(line);
    if (tid) {
      thread = { id: Number(tid[1]), frames: [] };
      threads.push(thread);
      continue;
    }
    const frame = FRAME.exec(line);
    if (frame && thread) {
      thread.frames.push({ pc: parseInt(frame[1], 16), ...(frame[2] ? { module: frame[2] } : {}) });
      continue;
    }
    const buildId = BUILD_ID.exec(line);
    const last = thread?.frames[thread.frames.length - 1];
    if (buildId && last) {
      last.lookup = parseInt(buildId[1], 16) + parseInt(buildId[2], 16);
      continue;
    }
    if (line.startsWith('eu-stack: ')) errors.push(line.slice(10));
  }
  return {
    threads: threads.map((t) => ({
      id: t.id,
      name: null,
      frames: t.frames.flatMap((raw) => {
        const named = raw.lookup === undefined ? undefined : names.get(raw.lookup);
        const parts: NativeFrameParts[] = named?.length
          ? named.map((n) => ({ function: n.function, address: raw.pc, module: raw.module, source: n.source }))
          : [{ function: null, address: raw.pc, module: raw.module }];
        return parts.map(nativeFrame);
      }),
    })),
    errors,
  };
}
