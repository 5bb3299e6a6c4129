// What must hold before gdb stops anything, read in one SSH round trip: the process exists, gdb is
// installed, the login (or sudo) may ptrace it (Yama's ptrace_scope, uids), nobody traces it
// already. Each failure is one sentence that names the host and says what to change
// (docs/architecture.md, "Debugging: gdb/MI and the watchdog").
import type { RemoteRunner } from '../../ssh/remote';
import { shellWord } from '../../util/shell';
import { stripControl } from '../../util/text';

// $1 pid, $2 "sudo" or "". Prints key=value lines.
const preflightScript = String.raw`
pid=$1
f=/proc/$pid/status
if [ -r "$f" ]; then
  echo exists=1
  sed -n 's/^State:[[:space:]]*\([A-Za-z]\).*/state=\1/p; s/^Uid:[[:space:]]*\([0-9]*\)[[:space:]]*\([0-9]*\)[[:space:]]*\([0-9]*\).*/uids=\1 \2 \3/p; s/^TracerPid:[[:space:]]*/tracer=/p; s/^Name:[[:space:]]*/name=/p' "$f"
else
  echo exists=0
fi
echo "yama=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null)"
echo "uid=$(id -u)"
echo "user=$(id -un 2>/dev/null)"
echo "gdb=$(command -v gdb 2>/dev/null)"
if [ "$2" = sudo ]; then
  if ! command -v sudo >/dev/null 2>&1; then echo sudo=missing
  elif sudo -n true </dev/null >/dev/null 2>&1; then echo sudo=ok
    echo "sudogdb=$(sudo -n sh -c 'command -v gdb' </dev/null 2>/dev/null)"
  else echo sudo=password; fi
fi`;

export interface PreflightFacts {
  exists: boolean;
  /** The target's process name (from /proc, control characters stripped). */
  name?: string;
  /** One-letter state from /proc/PID/status. */
  state?: string;
  /** Real, effective and saved uid of the target. */
  uids?: number[];
  tracerPid?: number;
  /** kernel.yama.ptrace_scope, or undefined when the kernel has no Yama. */
  ptraceScope?: number;
  uid: number;
  user: string;
  gdbPath: string;
  /** Only when sudo was asked for. */
  sudo?: 'ok' | 'password' | 'missing';
  sudoGdbPath?: string;
}

export function preflightCommand(pid: number, sudo: boolean): string {
  return `sh -c ${shellWord(preflightScript)} firefighter-preflight ${shellWord(String(pid))} ${shellWord(sudo ? 'sudo' : '')}`;
}

export function parsePreflight(output: string): PreflightFacts {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !values.has(line.slice(0, eq))) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const number = (key: string) => {
    const text = values.get(key);
    return text && /^\d+$/.test(text) ? Number(text) : undefined;
  };
  const sudo = values.get('sudo');
  return {
    exists: values.get('exists') === '1',
    name: values.has('name') ? stripControl(values.get('name')!) : undefined,
    state: values.get('state') || undefined,
    uids: values.get('uids')?.split(/\s+/).filter(Boolean).map(Number),
    tracerPid: number('tracer'),
    ptraceScope: number('yama'),
    uid: number('uid') ?? -1,
    user: stripControl(values.get('user') ?? '') || `uid ${values.get('uid') ?? '?'}`,
    gdbPath: values.get('gdb') ?? '',
    sudo: sudo === 'ok' || sudo === 'password' || sudo === 'missing' ? sudo : undefined,
    sudoGdbPath: values.get('sudogdb') || undefined,
  };
}

/** The first reason the attach cannot work, as one sentence, or undefined when it can. */
export function preflightProblem(facts: PreflightFacts, context: { host: string; pid: number; sudo: boolean }): string | undefined {
  const { host, pid, sudo } = context;
  if (!facts.exists)
    return `Process ${pid} does not exist on ${host}: pick a running process (it may have exited or restarted with a new pid).`;
  if (sudo && facts.sudo === 'missing')
    return `sudo is not installed on ${host}: turn off "sudo" in the attach configuration and log in as the process's owner.`;
  if (sudo && facts.sudo !== 'ok')
    return `sudo on ${host} asks ${facts.user} for a password (sudo -n failed): allow passwordless sudo for ${facts.user} on ${host}, or turn off "sudo" and log in as the process's owner.`;
  const gdbPath = sudo ? facts.sudoGdbPath : facts.gdbPath;
  if (!gdbPath)
    return `gdb is not installed on ${host} (not on ${sudo ? "root's" : `${facts.user}'s`} PATH): install it (apt-get install gdb) or take a snapshot instead.`;
  const root = sudo || facts.uid === 0;
  if (!root && facts.uids && facts.uids.some((uid) => uid !== facts.uid))
    return `Process ${pid} on ${host} runs as uid ${facts.uids[1] ?? facts.uids[0]} but you log in as ${facts.user} (uid ${facts.uid}): turn on "sudo" in the attach configuration or log in as the process's owner.`;
  if (facts.ptraceScope === 3)
    return `ptrace is disabled on ${host} (kernel.yama.ptrace_scope=3, until reboot): take a snapshot instead, or reboot with a lower ptrace_scope.`;
  if (facts.ptraceScope === 2 && !root)
    return `${host} allows ptrace only to root (kernel.yama.ptrace_scope=2): turn on "sudo" in the attach configuration.`;
  if (facts.ptraceScope === 1 && !root)
    return `${host} lets ${facts.user} ptrace only its own child processes (kernel.yama.ptrace_scope=1): turn on "sudo" in the attach configuration, or run "sysctl kernel.yama.ptrace_scope=0" on ${host}.`;
  if (facts.tracerPid)
    return `Process ${pid} on ${host} is already traced by pid ${facts.tracerPid} (another debugger or tracer): detach that one first.`;
  return undefined;
}

/** Runs the preflight on the host; throws an Error with the one-sentence problem when it fails. */
export async function preflight(runner: RemoteRunner, pid: number, sudo: boolean): Promise<PreflightFacts> {
  const result = await runner.exec(preflightCommand(pid, sudo), { timeoutMs: 20_000 });
  if (result.exitCode !== 0) {
    const detail = stripControl(result.stderr).slice(0, 300) || `exit code ${result.exitCode ?? result.signal}`;
    throw new Error(
      `The attach preflight failed on ${runner.host} (${detail}): check that the login shell of ${runner.host} runs sh commands.`,
    );
  }
  const facts = parsePreflight(result.stdout);
  const problem = preflightProblem(facts, { host: runner.host, pid, sudo });
  if (problem) throw new Error(problem);
  return facts;
}
