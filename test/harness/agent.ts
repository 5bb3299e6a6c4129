// A real ssh-agent on a socket in a temp dir, for agent-auth tests.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, removeTempDir, stopProcess, trackProcess } from './cleanup';

const run = promisify(execFile);

export interface SshAgent {
  /** The value for SSH_AUTH_SOCK. */
  readonly socket: string;
  /** Loads a passphrase-less private key into the agent (ssh-add). */
  add(privateKeyPath: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startSshAgent(): Promise<SshAgent> {
  const dir = makeTempDir('agent');
  const socket = join(dir, 'agent.sock');
  // -D keeps it in the foreground so it stays our child and is tracked.
  const child = trackProcess(spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' }));
  const deadline = Date.now() + 5000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null) throw new Error(`ssh-agent exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('ssh-agent did not create its socket within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    socket,
    add: async (privateKeyPath) => {
      await run('ssh-add', [privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
    },
    stop: async () => {
      await stopProcess(child);
      removeTempDir(dir);
    },
  };
}
