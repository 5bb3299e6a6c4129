// The OpenSSH terminal transport: the system `ssh` inside node-pty, for hosts whose config needs
// what ssh2 cannot do (ProxyCommand with prompts, GSSAPI, security keys). ssh itself asks for
// passwords and host keys in the terminal. It has the same shape as a pooled pty process, so the
// terminal view treats both alike.
import { constants } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import * as nodePty from 'node-pty';
import { noEvents, type EventPublisher } from '../events/bus';
import { systemClock, type Clock } from '../util/clock';
import { CommandLog } from './commandLog';
import { sshCommandLine } from './config';
import { SshError } from './errors';
import type { PtyOptions, PtyProcess } from './remote';
import type { ResolvedHost } from './types';

/** ssh's own exit status for "the connection failed or dropped" (a remote command rarely uses it). */
const SSH_CONNECTION_ERROR = 255;

export interface OpenSshTerminalOptions {
  /** The ssh_config the host was resolved from; passed to ssh with -F unless it is ~/.ssh/config. */
  configFile: string;
  /** The remote command (top); the login shell when absent. */
  command?: string;
  size: PtyOptions;
  /** `ssh` by default (found on PATH). */
  sshPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the terminal's `command.started` / `command.ended` go, like the pool's own commands. */
  events?: EventPublisher;
  clock?: Clock;
}

/**
 * The argv that reaches the host with OpenSSH, forcing a tty for a remote command. `--` ends
 * ssh's options before the destination, so no alias can be read as an option (`-oProxyCommand=…`).
 */
export function openSshArgv(host: ResolvedHost, options: Pick<OpenSshTerminalOptions, 'configFile' | 'command' | 'sshPath'>): string[] {
  const argv = sshCommandLine(host, options.configFile);
  // sshCommandLine ends with the alias; -t and -- must come before it.
  const flags = argv.slice(1, -1);
  const alias = argv[argv.length - 1];
  return [
    options.sshPath ?? 'ssh',
    ...(options.command ? ['-t'] : []),
    ...flags,
    '--',
    alias,
    ...(options.command ? [options.command] : []),
  ];
}

export function spawnOpenSshTerminal(host: ResolvedHost, options: OpenSshTerminalOptions): PtyProcess {
  const [file, ...args] = openSshArgv(host, options);
  // The system ssh runs outside the pool; its commands are on the timeline all the same.
  const endCommand = new CommandLog(options.events ?? noEvents, options.clock ?? systemClock, 'openssh').start(
    host.alias,
    `${options.command ?? 'login shell'} (OpenSSH terminal)`,
  );
  const pty = nodePty.spawn(file, args, {
    name: options.size.term ?? 'xterm-256color',
    cols: options.size.cols,
    rows: options.size.rows,
    env: options.env ?? process.env,
  });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stderr.end(); // a pty has one output stream
  const stdin = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pty.write(chunk.toString());
      callback();
    },
  });
  pty.onData((data) => stdout.write(data));
  // ssh catches SIGHUP and exits 255 like a failure; a close we asked for is not one.
  let closedByUs = false;
  const exit = new Promise<{ exitCode: number | null; signal: string | null; error?: Error }>((resolve) => {
    pty.onExit(({ exitCode, signal }) => {
      stdout.end();
      let outcome: { exitCode: number | null; signal: string | null; error?: Error };
      if (signal || closedByUs) outcome = { exitCode: null, signal: signalName(signal || constants.signals.SIGHUP) };
      else if (exitCode === SSH_CONNECTION_ERROR) {
        outcome = {
          exitCode: null,
          signal: null,
          error: new SshError(
            'closed',
            host.alias,
            `${host.alias}: ssh could not connect or lost the connection (exit ${SSH_CONNECTION_ERROR}); its message is in the terminal.`,
          ),
        };
      } else outcome = { exitCode, signal: null };
      endCommand(outcome);
      resolve(outcome);
    });
  });
  return {
    stdin,
    stdout,
    stderr,
    exit,
    close: () => {
      closedByUs = true;
      pty.kill('SIGHUP');
    },
    resize: (cols, rows) => pty.resize(cols, rows),
  };
}

function signalName(signal: number): string {
  return Object.entries(constants.signals).find(([, number]) => number === signal)?.[0] ?? String(signal);
}
