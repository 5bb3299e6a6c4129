// gdb in batch mode: the last resort, because it stops every thread for as long as it loads
// symbols and unwinds (a quarter second to seconds). debuginfod is off so it never fetches over
// the network while the target waits (docs/architecture.md, "Snapshots: engines").
import { isApplicationFrame } from '../traces/classify';
import { parseGdbFrame } from '../traces/formats/gdb';
import { INCOMPLETE } from '../traces/syntax';
import { shellWord } from '../util/shell';
import { stripControl } from '../util/text';
import { moduleAt, nativeFrame, type ModuleRange } from './nativeFrames';
import type { ToolStacks } from './euStack';
import type { SnapshotFrame, SnapshotThread } from './types';

/**
 * After the native backtraces: python-gdb's `py-bt` for every thread, only when it is loaded (its
 * script auto-loads from the default safe path, e.g. Debian's python3.X-dbg) and gdb has CPython's
 * debug types from symbols whose build ID is the binary's own: embedded, or a separate debug file
 * with the same build ID. Its output follows the `pybt` mark.
 */
function pyBtCommand(marker: (name: string) => string): string {
  const code = [
    'import gdb',
    'def python_symbols_match():',
    '    try:',
    "        gdb.execute('help py-bt', to_string=True)",
    "        gdb.lookup_type('PyObject')",
    '    except gdb.error:',
    '        return False',
    "    return all(o.build_id == o.owner.build_id for o in gdb.objfiles() if o.owner is not None and 'python' in o.owner.filename.rsplit('/', 1)[-1])",
    'if python_symbols_match():',
    `    gdb.execute(${JSON.stringify(`shell ${marker('pybt')}`)})`,
    "    gdb.execute('thread apply all py-bt')",
  ].join('\n');
  return `python exec(${JSON.stringify(code)})`;
}

/**
 * The command the host runs (`$pid` and the marker printer `s` come from the host script): the
 * settings before the attach, then markers around attach…detach so the pause is measured on the
 * host without gdb's own start-up.
 */
export function gdbCommand(marker: (name: string) => string): string {
  const settings = ['set debuginfod enabled off', 'set pagination off', 'set width 0', 'set confirm off', 'set print frame-arguments none'];
  const mark = (name: string) => `shell ${marker(name)}`;
  const args = [
    ...settings.flatMap((s) => ['-iex', shellWord(s)]),
    '-ex',
    shellWord(mark('attaching')),
    '-ex',
    '"attach $pid"',
    '-ex',
    shellWord('thread apply all bt'),
    '-ex',
    shellWord(pyBtCommand(marker)),
    '-ex',
    'detach',
    '-ex',
    shellWord(mark('detached')),
  ];
  return `$limit gdb -batch -nx ${args.join(' ')}`;
}

const THREAD_HEADER = /^Thread \d+ \((.*)\):$/;

/** `Thread 20 (Thread 0x7f… (LWP 9946) "worker-18"):`, `Thread 1 (process 42):`, `Thread 2 (LWP 43):`. */
function parseThreadHeader(inner: string): SnapshotThread | undefined {
  const id = /\((?:LWP|process) (\d+)\)|^(?:LWP|process) (\d+)/.exec(inner);
  if (!id) return undefined;
  const name = /"([^"]*)"$/.exec(inner);
  return { id: Number(id[1] ?? id[2]), name: name ? name[1] : null, frames: [] };
}

/**
 * `thread apply all bt` output; `modules` (the target's executable mappings) tells which code each
 * address is in. From `pyBtOffset` on, `py-bt` output: a thread's Python frames, where it has any,
 * replace its native ones (the interpreter's C frames say little about the Python code).
 */
export function parseGdbBacktraces(output: string, modules: ModuleRange[], pyBtOffset?: number): ToolStacks {
  const stacks = parseNativeBacktraces(pyBtOffset === undefined ? output : output.slice(0, pyBtOffset), modules);
  if (pyBtOffset === undefined) return stacks;
  const python = parsePyBt(output.slice(pyBtOffset));
  return { ...stacks, threads: stacks.threads.map((t) => (python.get(t.id)?.length ? { ...t, frames: python.get(t.id) ?? [] } : t)) };
}

/** `py-bt` per thread: `  File "/srv/app.py", line 3, in handle` lines, innermost first. */
export function parsePyBt(output: string): Map<number, SnapshotFrame[]> {
  const frames = new Map<number, SnapshotFrame[]>();
  let current: SnapshotFrame[] | undefined;
  for (const line of output.split('\n')) {
    const header = THREAD_HEADER.exec(line);
    if (header) {
      const thread = parseThreadHeader(header[1]);
      current = thread ? [] : undefined;
      if (thread && current) frames.set(thread.id, current);
      continue;
    }
    const frame = /^ {2}File "(.+)", line (\d+), in (.+)$/.exec(line);
    if (frame && current) {
      const file = stripControl(frame[1]);
      const fn = stripControl(frame[3]);
      current.push({ function: fn, file, line: Number(frame[2]), column: null, app: isApplicationFrame('python', file, fn), local: null });
    }
  }
  return frames;
}

function parseNativeBacktraces(output: string, modules: ModuleRange[]): ToolStacks {
  const threads: SnapshotThread[] = [];
  const errors: string[] = [];
  let thread: SnapshotThread | undefined;
  for (const line of output.split('\n')) {
    const header = THREAD_HEADER.exec(line);
    if (header) {
      thread = parseThreadHeader(header[1]);
      if (thread) threads.push(thread);
      continue;
    }
    if (thread && line.startsWith('#')) {
      const frame = parseGdbFrame(line);
      if (!frame || frame === INCOMPLETE) continue;
      const address = /^#\d+\s+0x([0-9a-f]+) in /.exec(line);
      const at = address ? parseInt(address[1], 16) : undefined;
      // `from /lib/…/libc.so.6`: no debug info, so the file gdb printed is the module.
      const fromModule = / from (\S+)$/.test(line) ? (frame.file ?? undefined) : undefined;
      const module = fromModule ?? (at !== undefined ? moduleAt(modules, at) : undefined);
      thread.frames.push(
        nativeFrame({
          function: frame.function,
          address: at,
          module,
          source: fromModule || frame.file === null ? undefined : { file: frame.file, line: frame.line },
        }),
      );
      continue;
    }
    if (/^(?:ptrace: |warning: Could not attach|Could not attach|Can't attach)/.test(line)) errors.push(line);
  }
  return { threads, errors };
}
