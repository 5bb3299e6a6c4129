// Real processes to snapshot: the 20-thread C program built with gcc -g here, and sleeping
// CPython and Node processes. All are tracked by the harness and ended at exit.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, trackProcess } from '../../harness';

const FIXTURES = path.join(__dirname, '../../fixtures/snapshot');

/** Compiles a fixture C program with debug info; returns the binary's path. */
export function buildFixture(source: string): string {
  const binary = path.join(makeTempDir('snapshot-build'), path.basename(source, '.c'));
  execFileSync('gcc', ['-g', '-O0', '-pthread', '-o', binary, path.join(FIXTURES, source)]);
  return binary;
}

/** Starts a program and resolves once it printed `ready` (or, without `readyLine`, once it runs). */
export async function startTarget(command: string, args: string[] = [], readyLine = 'ready'): Promise<ChildProcess> {
  const child = trackProcess(spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] }));
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(readyLine)) resolve();
    });
  });
  return child;
}

/** Every thread of `pid` as /proc shows it: state letter and tracer. */
export function threadStates(pid: number): { tid: number; state: string; tracerPid: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    return {
      tid: Number(tid),
      state: /^State:\s+(\S)/m.exec(status)?.[1] ?? '?',
      tracerPid: Number(/^TracerPid:\s+(\d+)/m.exec(status)?.[1]),
    };
  });
}

/** True when no thread is stopped or traced: the process runs on. */
export function allThreadsRunning(pid: number): boolean {
  return threadStates(pid).every((t) => t.state !== 't' && t.state !== 'T' && t.tracerPid === 0);
}
