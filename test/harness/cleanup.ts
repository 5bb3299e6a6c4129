// Everything the harness starts is tracked here and ended when the process exits, also when a
// test fails or the run is interrupted, so no sshd, agent or proxy outlives the test file.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const processes = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const exitHooks = new Set<() => void>();
let installed = false;

/** Ends the child (and every process below it) when this process exits. */
export function trackProcess(child: ChildProcess): ChildProcess {
  installExitHandlers();
  processes.add(child);
  child.once('exit', () => processes.delete(child));
  return child;
}

/** A fresh directory under the system temp dir, removed when this process exits. */
export function makeTempDir(prefix: string): string {
  installExitHandlers();
  // The owner's pid in the name lets a later run sweep what a killed run left behind.
  const dir = mkdtempSync(join(tmpdir(), `firefighter-${prefix}-p${process.pid}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** A synchronous hook run at exit, for resources that are not child processes (servers, sockets). */
export function onExit(hook: () => void): { dispose(): void } {
  installExitHandlers();
  exitHooks.add(hook);
  return { dispose: () => exitHooks.delete(hook) };
}

/** Pids of every live process whose ancestry leads to `pid` (sshd's per-connection children
 * call setsid, so killing a process group would miss them). */
export function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we were reading.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Signals a process and everything below it; ignores processes that are already gone. */
export function killTree(pid: number, signal: NodeJS.Signals): void {
  for (const target of [...descendantsOf(pid), pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Sends SIGTERM to the tree, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const descendants = descendantsOf(child.pid);
  killTree(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    for (const pid of [...descendants, child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
  // Session children that outlived their sshd (reparented to init) are still ours to end.
  for (const pid of descendants) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function cleanUpNow(): void {
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // Keep cleaning up the rest.
    }
  }
  exitHooks.clear();
  for (const child of processes) {
    if (child.pid !== undefined) killTree(child.pid, 'SIGKILL');
  }
  processes.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends what a run killed with SIGKILL (no exit handler) left: processes started with a path in
 * one of its temp dirs (sshd -f, ssh-agent -a), then the dirs.
 */
function sweepLeftovers(): void {
  const stale = readdirSync(tmpdir())
    .map((name) => ({ name, owner: Number(/^firefighter-.+-p(\d+)-[^-]+$/.exec(name)?.[1]) }))
    .filter(({ owner }) => owner > 0 && owner !== process.pid && !isAlive(owner))
    .map(({ name }) => join(tmpdir(), name));
  if (stale.length === 0) return;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (stale.some((dir) => commandLine.includes(`${dir}/`))) killTree(Number(entry), 'SIGKILL');
    } catch {
      // The process ended while we were reading.
    }
  }
  for (const dir of stale) rmSync(dir, { recursive: true, force: true });
}

function installExitHandlers(): void {
  if (installed) return;
  installed = true;
  sweepLeftovers();
  process.once('exit', cleanUpNow);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => {
      cleanUpNow();
      process.exit(code);
    });
  }
}
