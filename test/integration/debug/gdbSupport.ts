// Shared pieces of the gdb integration tests: the C target (test/fixtures/debug/gdb/target.c)
// compiled with gcc -g and started here (the harness hosts run on this machine, so the host sees
// the same pids), and the check the issue asks for after every fault: every thread runs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RemoteProcess, RemoteRunner } from '../../../src/core/ssh/remote';
import { stopProcess, trackProcess } from '../../harness';

export const TARGET_SOURCE = join(__dirname, '../../fixtures/debug/gdb/target.c');

/** The 1-based line of the source line holding `marker`. */
export function markerLine(marker: string): number {
  const index = readFileSync(TARGET_SOURCE, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(`/* ${marker} */`));
  if (index < 0) throw new Error(`no ${marker} in target.c`);
  return index + 1;
}

/** Builds the target into `dir`; its debug info names `source` (a copy of target.c stands for a deployed tree). */
export function compileTarget(dir: string, source = TARGET_SOURCE): string {
  const binary = join(dir, 'target');
  execFileSync('gcc', ['-g', '-O0', '-pthread', '-o', binary, source]);
  return binary;
}

export interface Target {
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the target and resolves once it has made its threads ("ready PID" on stdout). */
export async function startTarget(binary: string): Promise<Target> {
  const child = trackProcess(spawn(binary, [], { stdio: ['ignore', 'pipe', 'inherit'] }));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`target exited (${code})`)));
  });
  child.stdout!.resume();
  let stopping = false;
  // A target that dies under the debugger (a SIGINT or SIGTRAP left to it) says so in the log.
  child.once('exit', (code, signal) => stopping || console.log(`target ${child.pid} exited on its own: code ${code}, signal ${signal}`));
  return {
    pid: child.pid!,
    child,
    stop: () => {
      stopping = true;
      return stopProcess(child);
    },
  };
}

export interface TaskState {
  tid: number;
  state: string;
  tracerPid: number;
}

export function taskStates(pid: number): TaskState[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    return {
      tid: Number(tid),
      state: /^State:\s*(\S)/m.exec(status)?.[1] ?? '?',
      tracerPid: Number(/^TracerPid:\s*(\d+)/m.exec(status)?.[1] ?? '-1'),
    };
  });
}

/** Every thread runs: none in t/T (stopped or traced-stopped) and none has a tracer. */
export function runsFreely(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) throw new Error(`process ${pid} is gone`);
  const tasks = taskStates(pid);
  return tasks.length > 0 && tasks.every((task) => task.state !== 't' && task.state !== 'T' && task.tracerPid === 0);
}

/** Attached by gdb and running: every thread has a tracer and none is stopped. */
export function taskTracedButRunning(pid: number): boolean {
  const tasks = taskStates(pid);
  return tasks.length > 0 && tasks.every((task) => /^[RSD]$/.test(task.state) && task.tracerPid > 0);
}

export function describeTasks(pid: number): string {
  if (!existsSync(`/proc/${pid}`)) return 'the process is gone';
  return taskStates(pid)
    .map((task) => `${task.tid}:${task.state}/tracer ${task.tracerPid}`)
    .join(', ');
}

/** A runner that remembers its spawned channels, so a test can drop one as a crashed client would. */
export function recordingRunner(runner: RemoteRunner): RemoteRunner & { spawned: RemoteProcess[] } {
  const spawned: RemoteProcess[] = [];
  return {
    host: runner.host,
    spawned,
    exec: (command, options) => runner.exec(command, options),
    spawn: async (command) => {
      const proc = await runner.spawn(command);
      spawned.push(proc);
      return proc;
    },
  };
}

/**
 * gdb and watchdog processes still alive on `host` for `pid`, described: a watchdog is the
 * `sh -c … firefighter-gdb PID …` of watchdog.ts (its subshell too); a gdb is one started in an
 * SSH session of that host (SSH_CONNECTION names its sshd's address and port; the harness hosts
 * run on this machine). Empty once everything an attach started on the host has ended.
 */
export function gdbLeftovers(host: { address: string; port: number }, pid: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const watchdog = argv[3] === 'firefighter-gdb' && argv[4] === String(pid);
      const gdb = /(^|\/)gdb$/.test(argv[0] ?? '') && argv.includes('--interpreter=mi3');
      if (!watchdog && !gdb) continue;
      if (gdb) {
        const connection = /(?:^|\0)SSH_CONNECTION=([^\0]*)/.exec(readFileSync(`/proc/${entry}/environ`, 'utf8'))?.[1];
        if (!connection?.endsWith(` ${host.address} ${host.port}`)) continue;
      }
      found.push(`${entry} (${watchdog ? 'watchdog' : 'gdb'})`);
    } catch {
      // Ended while we read it.
    }
  }
  return found;
}
