// A RemoteRunner over a local `sh -c`, so core code that talks to hosts can be unit-tested
// without sshd. close() kills the command's whole process group, as a dropped channel would end
// the remote session.
import { spawn as spawnChild } from 'node:child_process';
import type { ExecOptions, ExecResult, RemoteProcess, RemoteRunner } from '../../src/core/ssh/remote';

export class LocalRunner implements RemoteRunner {
  /** Every command run, in order (tests assert how many round trips a feature takes). */
  readonly commands: string[] = [];
  private readonly live = new Set<RemoteProcess>();

  constructor(readonly host = 'local') {}

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.commands.push(command);
    const child = spawnChild('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      if (options.timeoutMs === undefined) return;
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${this.host}: command timed out after ${options.timeoutMs} ms`));
      }, options.timeoutMs);
    });
    const done = new Promise<ExecResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode, signal) =>
        resolve({ exitCode, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }),
      );
    });
    try {
      return await Promise.race([done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async spawn(command: string): Promise<RemoteProcess> {
    this.commands.push(command);
    const child = spawnChild('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const exit = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
      child.on('close', (exitCode, signal) => resolve({ exitCode, signal }));
      child.on('error', () => resolve({ exitCode: null, signal: null }));
    });
    child.stdin.on('error', () => undefined);
    const process: RemoteProcess = {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exit,
      close: () => {
        try {
          if (child.pid !== undefined) globalThis.process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      },
    };
    this.live.add(process);
    void exit.then(() => this.live.delete(process));
    return process;
  }

  /** Commands spawned and still running. */
  get running(): number {
    return this.live.size;
  }

  /** Ends every spawned command, like a connection cut. */
  cut(): void {
    for (const process of this.live) process.close();
  }
}
