// The CPython engine of stack snapshots: reads every thread's Python stack of a live process from
// outside, without stopping it and without installing anything on the host. A stdlib-only script
// (pystacks.py) runs on the host under the target's own interpreter and reads the target's memory
// through /proc/PID/mem. See docs/architecture.md, "Snapshots: CPython".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noEvents, type EventPublisher } from '../events';
import type { RemoteRunner } from '../ssh/remote';
import { isApplicationFrame } from '../traces/classify';
import { systemClock, type Clock } from '../util/clock';
import { shellWord } from '../util/shell';
import { stripControl } from '../util/text';
import type { SnapshotFrame, SnapshotThread } from './types';

/** The snapshot JSON shape (docs/architecture.md, "Contracts"), for the python engine. */
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
  /** Epoch ms (the local clock) when the snapshot was asked for. */
  takenAt: number;
  /** How long the reader on the host took to read the stacks (interpreter start and ssh excluded). */
  readMs: number;
  /** Threads by native id, so the main thread comes first. */
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

const DEFAULT_TIMEOUT_MS = 10_000;

let scriptParts: { name: string; text: string }[] | undefined;

/** pystacks.py cut at its `# @@part NAME` lines; the text before the first one is its header comment. */
export function scriptPartsOf(source: string): { name: string; text: string }[] {
  const parts: { name: string; text: string }[] = [];
  for (const piece of source.split(/^(?=# @@part \w+$)/m)) {
    const name = /^# @@part (\w+)$/m.exec(piece.split('\n', 1)[0])?.[1];
    if (name !== undefined) parts.push({ name, text: piece });
  }
  return parts;
}

/**
 * The host-side reader's source, the parts a mode needs: a snapshot leaves out the sampling part
 * (compiling it, and importing json for it, would cost more than the reading). The file sits
 * beside this module in the sources (tsx, tests) and the build copies it next to the bundles in
 * dist/ (scripts/build.mjs), where __dirname points then.
 */
export function pystacksScript(mode: 'snapshot' | 'sample' = 'snapshot'): string {
  scriptParts ??= scriptPartsOf(readFileSync(join(__dirname, 'pystacks.py'), 'utf8'));
  return scriptParts
    .filter((p) => mode === 'sample' || p.name !== 'sample')
    .map((p) => p.text)
    .join('');
}

/**
 * Interpreter flags for the reader: -I isolated (no PYTHON* variables, no user site, not the
 * current directory on sys.path), -S no site (a faster start), -B no bytecode written (nothing
 * left on the host).
 */
export const PYTHON_FLAGS = '-I -S -B';

/**
 * A POSIX sh prelude that finds the target's interpreter (and its shared libpython, in case the
 * target found it through LD_LIBRARY_PATH) into $exe. Failures it can see are answered in the
 * reader's own JSON.
 */
export function pythonPrelude(pid: number, python?: string): string[] {
  const fail = (kind: string, detail: string) => `{ printf '{"ok":false,"kind":"${kind}","message":"%s"}\\n' "${detail}"; exit 0; }`;
  const interpreter =
    python === undefined
      ? [
          `exe=$(readlink /proc/${pid}/exe 2>/dev/null) || ${fail('permission', 'cannot read /proc/' + pid + '/exe')}`,
          `case \${exe##*/} in *python*) ;; *) ${fail('notPython', 'its program is $exe')} ;; esac`,
          `case $exe in *' (deleted)') exe=/proc/${pid}/exe ;; esac`,
        ]
      : [`exe=${shellWord(python)}`];
  return [
    `[ -d /proc/${pid} ] || ${fail('noProcess', 'no such process')}`,
    ...interpreter,
    `lib=$(grep -m1 -o '/[^ ]*/libpython3[^ /]*' /proc/${pid}/maps 2>/dev/null)`,
    `[ -z "$lib" ] || { LD_LIBRARY_PATH=\${lib%/*}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; export LD_LIBRARY_PATH; }`,
  ];
}

/** One round trip: the prelude, then the reader from stdin under the target's interpreter. */
export function pythonStacksCommand(pid: number, python?: string): string {
  return [...pythonPrelude(pid, python), `exec "$exe" ${PYTHON_FLAGS} - ${pid}`].join('\n');
}

/**
 * The prelude, then the interpreter running a small boot program that reads exactly the script's
 * bytes from stdin and runs them with `args`: the rest of stdin stays open for the reader (its
 * end stops a sampling run, its lines ask a serving reader for snapshots).
 */
export function bootCommand(pid: number, scriptBytes: number, args: (string | number)[], python?: string): string {
  const boot = [
    'import os',
    "b = b''",
    `while len(b) < ${scriptBytes}:`,
    `    c = os.read(0, ${scriptBytes} - len(b))`,
    '    if not c: break',
    '    b += c',
    "exec(compile(b, 'pystacks.py', 'exec'))",
  ].join('\n');
  return [...pythonPrelude(pid, python), `exec "$exe" ${PYTHON_FLAGS} -c ${shellWord(boot)} ${[pid, ...args].join(' ')}`].join('\n');
}

export interface ReaderFrame {
  function: string;
  file: string;
  line: number | null;
}

interface ReaderAnswer {
  ok: boolean;
  kind?: string;
  message?: string;
  version?: string;
  readMs?: number;
  threads?: { id: number | null; name: string | null; frames: ReaderFrame[]; incomplete?: boolean }[];
}

const FAILURES = new Set<PythonSnapshotFailure>(['noProcess', 'notPython', 'permission', 'unsupported', 'unreadable', 'failed']);

function failureMessage(host: string, pid: number, kind: PythonSnapshotFailure, detail: string): string {
  switch (kind) {
    case 'noProcess':
      return `${host}: process ${pid} does not exist (any more); pick a running process.`;
    case 'notPython':
      return `${host}: process ${pid} is not a CPython interpreter (${detail}); use the eu-stack or gdb engine for it.`;
    case 'permission':
      return `${host}: cannot read process ${pid} (${detail}); connect as the process's user or as root, and allow ptrace (kernel.yama.ptrace_scope 0 or 1).`;
    case 'unreadable':
      return `${host}: ${detail}.`;
    default:
      return `${host}: cannot read the Python stacks of process ${pid}: ${detail}.`;
  }
}

export function toFrame(frame: ReaderFrame): SnapshotFrame {
  const fn = stripControl(String(frame.function));
  const file = stripControl(String(frame.file));
  return {
    function: fn,
    file,
    line: typeof frame.line === 'number' ? frame.line : null,
    column: null,
    app: isApplicationFrame('python', file, fn),
    local: null,
  };
}

/** The reader's last JSON line; throws PythonSnapshotError for a failure it reports or a broken answer. */
export function readerAnswer<T extends { ok: boolean; kind?: string; message?: string }>(
  host: string,
  pid: number,
  stdout: string,
  stderr: string,
): T {
  let answer: T;
  try {
    answer = JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
  } catch {
    const why = stripControl(stderr.trim().split('\n').pop() ?? '') || 'no answer';
    // Python 2 cannot even parse the reader (or take its flags: `Unknown option: -I`)
    if (/^SyntaxError/.test(why) || /^Unknown option: -/m.test(stderr)) {
      throw new PythonSnapshotError('unsupported', failureMessage(host, pid, 'unsupported', 'its interpreter is not CPython 3.9 to 3.13'));
    }
    throw new PythonSnapshotError('failed', failureMessage(host, pid, 'failed', `the reader on the host failed (${why})`));
  }
  if (!answer.ok) {
    const kind = FAILURES.has(answer.kind as PythonSnapshotFailure) ? (answer.kind as PythonSnapshotFailure) : 'failed';
    throw new PythonSnapshotError(kind, failureMessage(host, pid, kind, stripControl(answer.message ?? 'unknown error')));
  }
  return answer;
}

/** "cpython 3.11" from the reader's "3.11.2". */
export function runtimeOfVersion(version: string | undefined): string {
  const [major, minor] = (version ?? '').split('.');
  return `cpython ${major}.${minor}`;
}

/** Parses the reader's snapshot answer; throws PythonSnapshotError for a failure it reports or a broken answer. */
export function parseReaderAnswer(
  host: string,
  pid: number,
  stdout: string,
  stderr: string,
): { runtime: string; readMs: number; threads: SnapshotThread[] } {
  const answer = readerAnswer<ReaderAnswer>(host, pid, stdout, stderr);
  const threads = (answer.threads ?? []).map((t): SnapshotThread => ({
    id: t.id ?? 0,
    name: t.name === null ? null : stripControl(t.name),
    frames: t.frames.map(toFrame),
    ...(t.incomplete ? { incomplete: true as const } : {}),
  }));
  return { runtime: runtimeOfVersion(answer.version), readMs: answer.readMs ?? 0, threads };
}

/**
 * All threads' Python stacks of process `pid` on the runner's host, read without stopping it
 * (pauseMs is 0). Publishes `snapshot.taken`.
 */
export async function readPythonStacks(runner: RemoteRunner, pid: number, options: ReadPythonStacksOptions = {}): Promise<PythonSnapshot> {
  requirePid(runner.host, pid);
  const clock = options.clock ?? systemClock;
  const takenAt = clock.now();
  const result = await runner.exec(pythonStacksCommand(pid, options.python), {
    stdin: pystacksScript(),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const answer = parseReaderAnswer(runner.host, pid, result.stdout, result.stderr);
  return pythonSnapshot(runner.host, pid, answer, takenAt, clock.now() - takenAt, options.events ?? noEvents);
}

export function requirePid(host: string, pid: number): void {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new PythonSnapshotError('noProcess', `${host}: ${pid} is not a process id.`);
}

/** The snapshot of a parsed reader answer; publishes `snapshot.taken`. */
export function pythonSnapshot(
  host: string,
  pid: number,
  answer: ReturnType<typeof parseReaderAnswer>,
  takenAt: number,
  wallMs: number,
  events: EventPublisher,
): PythonSnapshot {
  const { runtime, readMs, threads } = answer;
  const snapshot: PythonSnapshot = { host, pid, runtime, engine: 'python', pauseMs: 0, wallMs, takenAt, readMs, threads };
  events.publish('snapshot.taken', 'snapshot', { host, pid, engine: 'python', runtime, threads: threads.length, pauseMs: 0, wallMs });
  return snapshot;
}
