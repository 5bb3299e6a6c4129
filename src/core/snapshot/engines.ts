// Which engine takes a snapshot, decided on the host: what the process runs and which tools the
// host has (docs/architecture.md, "Snapshots: engines"). One round trip answers both, and for a
// CPython target the same command reads its stacks too.
import { newNonce, splitSections } from '../health/proc';
import { shellWord } from '../util/shell';
import type { RemoteRunner } from '../ssh/remote';
import { parseProcessListing, processScript, type ProcessInfo } from './processes';
import { pystacksScript, pythonStacksCommand } from './python';
import type { EngineChoice, EngineName } from './types';

interface HostTools {
  pySpy: boolean;
  euStack: boolean;
  gdb: boolean;
}

const TOOLS = ['py-spy', 'eu-stack', 'gdb'];

function toolsScript(): string {
  return TOOLS.map((t) => `command -v ${shellWord(t)} >/dev/null 2>&1 && echo ${shellWord(t)}`).join('; ');
}

function parseTools(text: string): HostTools {
  const found = new Set(text.split('\n').map((l) => l.trim()));
  return { pySpy: found.has('py-spy'), euStack: found.has('eu-stack'), gdb: found.has('gdb') };
}

/**
 * The engines to try, in order. auto: a CPython target → python (reads memory, never stops it),
 * then py-spy, then the native engines; native code and Go → eu-stack; anything else (Node, JVM,
 * whose frames native tools cannot name) → gdb as the last resort, eu-stack when gdb is missing.
 * A named engine is the only one tried.
 */
export function engineOrder(choice: EngineChoice, process: Pick<ProcessInfo, 'runtime'>, tools: HostTools): EngineName[] {
  if (choice !== 'auto') return [choice];
  const native: EngineName[] = [...(tools.euStack ? ['eu-stack' as const] : []), ...(tools.gdb ? ['gdb' as const] : [])];
  switch (process.runtime.kind) {
    case 'cpython':
      return ['python', ...(tools.pySpy ? ['py-spy' as const] : []), ...native];
    case 'native':
    case 'go':
      return native;
    default:
      return [...(tools.gdb ? ['gdb' as const] : []), ...(tools.euStack ? ['eu-stack' as const] : [])];
  }
}

type TargetProbe =
  /** The CPython reader read the stacks: the listing and the tools were not needed, so not run. */
  | { listed: false; python: { stdout: string; stderr: string } }
  | {
      listed: true;
      /** undefined when the process is gone. */
      process: ProcessInfo | undefined;
      tools: HostTools;
      /** The CPython reader's failure, when it was asked to read the stacks first. */
      python?: { stdout: string; stderr: string };
    };

/**
 * One command. With `readPython`, the CPython reader runs first (its prelude answers notPython at
 * once when the program is not a python); when it read the stacks, that is the whole answer: a
 * snapshot of a CPython target is one round trip and one process started on the host besides
 * the shell. Otherwise (and without `readPython`) the process's description and the host's tools
 * follow, for choosing another engine. Every process started costs on a busy host: the listing
 * starts about ten (head, ls, grep, getconf), as many as the reader's own start costs.
 */
function probeCommand(nonce: string, pid: number, readPython: boolean): string {
  return [
    `s() { printf '\\n@@${nonce}:%s\\n' "$1"; }`,
    ...(readPython
      ? [
          `python=$(\n${pythonStacksCommand(pid)}\n)`,
          's python',
          `printf '%s\\n' "$python"`,
          `case $python in '{"ok":true'*) s read; exit 0 ;; esac`,
        ]
      : []),
    `( ${processScript(nonce, String(pid), 0)} ) </dev/null`,
    's tools',
    toolsScript(),
    's probed',
    'exit 0',
  ].join('\n');
}

export async function probeTarget(
  runner: RemoteRunner,
  pid: number,
  options: { readPython?: boolean; timeoutMs?: number } = {},
): Promise<TargetProbe> {
  const nonce = newNonce();
  const readPython = options.readPython ?? false;
  const result = await runner.exec(probeCommand(nonce, pid, readPython), {
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(readPython ? { stdin: pystacksScript() } : {}),
  });
  const sections = splitSections(result.stdout, nonce);
  const python = sections.get('python');
  if (python !== undefined && sections.has('read')) return { listed: false, python: { stdout: python, stderr: result.stderr } };
  const process = parseProcessListing(runner.host, result.stdout, nonce).find((p) => p.pid === pid);
  return {
    listed: true,
    process,
    tools: parseTools(sections.get('tools') ?? ''),
    ...(python !== undefined ? { python: { stdout: python, stderr: result.stderr } } : {}),
  };
}
