// Starts code-server (a real VS Code) on loopback with the packaged extension installed.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
// The harness ends a process with its whole tree (the pty host's shells call setsid, so a process
// group would miss them), and also at exit when a test fails or the run is interrupted.
import { descendantsOf, stopProcess, trackProcess } from '../../harness/cleanup';
import { CODE_SERVER_ENTRY, NODE24 } from './paths';

/** User settings every E2E run starts from: no first-run pages or trust prompts, and xterm's DOM
 * renderer (no GPU canvas) so terminal text can be read from `.xterm-rows`. */
export const BASE_USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'terminal.integrated.gpuAcceleration': 'off',
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
};

export interface CodeServerOptions {
  /** Scratch folder owned by the caller: user data, extensions and the log go below it. */
  stateDir: string;
  /** The folder the workbench opens. */
  workspace: string;
  vsix: string;
  /** Merged over BASE_USER_SETTINGS into the user's settings.json. */
  userSettings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host. */
  env?: NodeJS.ProcessEnv;
}

export interface CodeServer {
  /** Opens the workbench on the workspace folder. */
  readonly url: string;
  readonly userDataDir: string;
  /** code-server's own stdout and stderr. */
  readonly logFile: string;
  /** Resolves once code-server and its extension host have been quiet for a while (the workbench's
   * start-up burst of built-in extensions is over), so timings taken next measure our extension. */
  waitUntilIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = path.join(options.stateDir, 'user-data');
  const extensionsDir = path.join(options.stateDir, 'extensions');
  const logFile = path.join(options.stateDir, 'code-server.log');
  await mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await writeFile(
    path.join(userDataDir, 'User/settings.json'),
    JSON.stringify({ ...BASE_USER_SETTINGS, ...options.userSettings }, null, 2),
  );
  const dirArgs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  // A HOME of its own: code-server writes its config there, and the extension must not see the
  // ssh config, keys or agent of whoever runs the tests.
  const home = path.join(options.stateDir, 'home');
  await mkdir(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...options.env };
  for (const name of ['SSH_AUTH_SOCK', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME']) {
    if (!options.env?.[name]) delete env[name];
  }

  const { stdout } = await promisify(execFile)(NODE24, [CODE_SERVER_ENTRY, ...dirArgs, '--install-extension', options.vsix], { env });
  if (!/successfully installed/i.test(stdout)) {
    throw new Error(`code-server did not install ${options.vsix}:\n${stdout}`);
  }

  const port = await freePort();
  const log = createWriteStream(logFile);
  const child = trackProcess(
    spawn(
      NODE24,
      [
        CODE_SERVER_ENTRY,
        ...dirArgs,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);

  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, child);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return {
    url: `${base}/?folder=${encodeURIComponent(options.workspace)}`,
    userDataDir,
    logFile,
    waitUntilIdle: (timeoutMs = 30_000) => waitForIdleTree(child.pid!, timeoutMs),
    stop: () => stopProcess(child, 5000),
  };
}

async function waitForHealth(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} while starting`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer on ${base} within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

/** Idle: the whole process tree used under 10% of one CPU in each of two consecutive 500 ms windows. */
async function waitForIdleTree(pid: number, timeoutMs: number): Promise<void> {
  const windowMs = 500;
  const deadline = Date.now() + timeoutMs;
  let quietWindows = 0;
  let before = cpuTicks([pid, ...descendantsOf(pid)]);
  while (quietWindows < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = cpuTicks([pid, ...descendantsOf(pid)]);
    // Kernel ticks are 10 ms; 10% of 500 ms is 5 ticks.
    quietWindows = now - before <= 5 ? quietWindows + 1 : 0;
    before = now;
  }
}

/** User + system CPU ticks of the given processes, from /proc/PID/stat. */
function cpuTicks(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
