// Which engine takes a snapshot, decided on the host: what the process runs and which tools the
// host has (docs/architecture.md, "Snapshots: engines"). One round trip answers both.
import { shellWord } from '../util/shell';
import type { RemoteRunner } from '../ssh/remote';
import { describeProcess, type ProcessInfo } from './processes';
import type { EngineChoice, EngineName } from './types';

export interface HostTools {
  pySpy: boolean;
  euStack: boolean;
  gdb: boolean;
}

export async function probeTools(runner: RemoteRunner): Promise<HostTools> {
  const tools = ['py-spy', 'eu-stack', 'gdb'];
  const script = tools.map((t) => `command -v ${shellWord(t)} >/dev/null 2>&1 && echo ${shellWord(t)}`).join('; ') + '; exit 0';
  const found = new Set((await runner.exec(script, { timeoutMs: 10_000 })).stdout.split('\n').map((l) => l.trim()));
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

/** The process (undefined when it is gone) and the host's tools. */
export async function probeTarget(runner: RemoteRunner, pid: number): Promise<{ process: ProcessInfo | undefined; tools: HostTools }> {
  const [process, tools] = await Promise.all([describeProcess(runner, pid), probeTools(runner)]);
  return { process, tools };
}
