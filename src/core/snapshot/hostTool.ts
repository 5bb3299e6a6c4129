// Runs a stack tool (eu-stack, gdb, py-spy) against a process on the host, in one round trip,
// inside a script that guarantees the process runs on afterwards: the tool is bounded by
// `timeout`, and if any thread is left stopped with no tracer (a tracer killed mid-attach leaves
// its SIGSTOP behind) and the process was not stopped before, the script sends SIGCONT.
// The script also times the tool on the host and reads the thread names and executable mappings
// (docs/architecture.md, "Snapshots: the pause" and "never left stopped").
import { newNonce, splitSections } from '../health/proc';
import type { RemoteRunner } from '../ssh/remote';

/** Bounds what one snapshot's output can hold (a process with thousands of deep threads). */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface HostToolRun {
  /** The tool's stdout and stderr, merged in order. */
  output: string;
  exitCode: number | null;
  /** Epoch ms on the host's clock when the tool started. */
  startedAt: number;
  /** How long the tool ran on the host, ms. */
  toolMs: number;
  /** Marks the tool printed through `marker(name)`: epoch ms on the host's clock, and where in `output`. */
  marks: Map<string, { at: number; offset: number }>;
  /** Thread names (comm) by TID, read just before the tool ran. */
  threadNames: Map<number, string>;
  /** /proc/PID/maps, when asked for. */
  maps: string;
  /** Threads that were left stopped and were continued by the script (0 when none). */
  continued: number;
}

export type HostToolFailure = 'noProcess' | 'missingTool';

export class HostToolError extends Error {
  constructor(
    readonly kind: HostToolFailure,
    message: string,
  ) {
    super(message);
    this.name = 'HostToolError';
  }
}

export interface HostToolOptions {
  /** The executable that must exist on the host (`eu-stack`). */
  tool: string;
  /**
   * Builds the tool's sh commands; `marker(name)` is a sh command that prints a timed mark, and
   * `$limit` (to put before each tool) bounds a tool's run when the host has `timeout`.
   */
  command: (marker: (name: string) => string) => string;
  timeoutSeconds: number;
  readMaps?: boolean;
}

/**
 * Nanosecond epoch time in sh: GNU date has %N; where it does not (busybox), whole seconds.
 * `stopped_threads` counts threads in `t`/`T` state with no tracer, using only builtins.
 */
function hostToolScript(nonce: string, pid: number, options: HostToolOptions): string {
  const marker = (name: string) => `printf '\\n@@${nonce}:mark %s %s\\n' ${name} "$(date +%s%N)"`;
  return `LC_ALL=C; export LC_ALL
pid=${pid}
s() { printf '\\n@@${nonce}:%s\\n' "$1"; }
now() { t=$(date +%s%N 2>/dev/null); case $t in *[!0-9]*|'') t=$(date +%s)000000000;; esac; echo "$t"; }
stopped_threads() {
  n=0
  for f in /proc/$pid/task/*/status; do
    state=; tracer=
    while read -r key value rest; do
      case $key in State:) state=$value;; TracerPid:) tracer=$value; break;; esac
    done < "$f" 2>/dev/null
    case $state in t|T) [ "$tracer" = 0 ] && n=$((n+1));; esac
  done
  echo $n
}
[ -d /proc/$pid ] || { s gone; exit 0; }
command -v ${options.tool} >/dev/null 2>&1 || { s missing; exit 0; }
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout -k 2 ${options.timeoutSeconds}"
before=$(stopped_threads)
s names; head -v -n 1 /proc/$pid/task/*/comm 2>/dev/null
${options.readMaps ? 's maps; cat /proc/$pid/maps 2>/dev/null' : ''}
s started; now
s output
tool() {
${options.command(marker)}
}
exec 4>&1
rc=$( { { tool 2>&1; echo $? >&3; } | head -c ${MAX_OUTPUT_BYTES} >&4; } 3>&1 )
exec 4>&-
s ended; now
s rc; echo $rc
after=$(stopped_threads)
if [ "$before" = 0 ] && [ "$after" != 0 ]; then sleep 0.1; after=$(stopped_threads); fi
s continued
if [ "$before" = 0 ] && [ "$after" != 0 ]; then kill -CONT $pid 2>/dev/null; echo "$after"; else echo 0; fi
s end
exit 0
`;
}

function epochMs(nanoseconds: string): number {
  return Number(BigInt(nanoseconds.trim()) / 1000n) / 1000;
}

function parseHostToolOutput(host: string, pid: number, tool: string, output: string, nonce: string): HostToolRun {
  const sections = splitSections(output, nonce);
  if (sections.has('gone'))
    throw new HostToolError('noProcess', `${host}: there is no process ${pid}; list the host's processes and pick a running one.`);
  if (sections.has('missing'))
    throw new HostToolError('missingTool', `${host}: ${tool} is not installed; install it (or pick another engine) and try again.`);
  const need = (name: string): string => {
    const text = sections.get(name);
    if (text === undefined)
      throw new Error(
        `${host}: the ${tool} run on process ${pid} ended early (no ${name} section); the connection may have dropped, so check the process and try again.`,
      );
    return text;
  };
  const marks = new Map<string, { at: number; offset: number }>();
  const raw = need('output');
  let toolOutput = '';
  let from = 0;
  for (const match of raw.matchAll(new RegExp(`\\n?@@${nonce}:mark (\\w+) (\\d+)\\n`, 'g'))) {
    toolOutput += raw.slice(from, match.index) + '\n';
    from = (match.index ?? 0) + match[0].length;
    marks.set(match[1], { at: epochMs(match[2]), offset: toolOutput.length });
  }
  toolOutput += raw.slice(from);
  const threadNames = new Map<number, string>();
  for (const match of (sections.get('names') ?? '').matchAll(/==> \/proc\/\d+\/task\/(\d+)\/comm <==\n([^\n]*)/g))
    threadNames.set(Number(match[1]), match[2]);
  const startedAt = epochMs(need('started'));
  const endedAt = epochMs(need('ended'));
  const rc = Number(need('rc').trim());
  return {
    output: toolOutput,
    exitCode: Number.isFinite(rc) ? rc : null,
    startedAt,
    toolMs: Math.max(0, endedAt - startedAt),
    marks,
    threadNames,
    maps: sections.get('maps') ?? '',
    continued: Number(need('continued').trim()) || 0,
  };
}

export async function runHostTool(runner: RemoteRunner, pid: number, options: HostToolOptions): Promise<HostToolRun> {
  const nonce = newNonce();
  const result = await runner.exec(hostToolScript(nonce, pid, options), { timeoutMs: (options.timeoutSeconds + 10) * 1000 });
  return parseHostToolOutput(runner.host, pid, options.tool, result.stdout, nonce);
}
