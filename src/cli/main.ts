// The `firefighter` command line: the same core as the extension, for runbooks and scripts.
import * as os from 'node:os';
import * as path from 'node:path';
import { loadInventory, type InventoryOptions } from '../core/hosts/inventory';
import { SshPool } from '../core/ssh/pool';
import { errorMessage, ExitCode, type CliCommand, type CliConnect, type CliIo } from './command';
import { makeExecCommand } from './exec';
import { makeHealthCommand } from './health';
import { makeHostsCommand } from './hosts';
import { makeSampleCommand } from './sample';
import { makeSnapshotCommand } from './snapshot';
import { makeIncidentCommand, makeIncidentsCommand } from './incident';
import { makeTailCommand } from './tail';
import { traces } from './traces';

const usage = `usage: firefighter [-F SSH_CONFIG] [--hosts HOSTS_JSON] COMMAND ...

  hosts [--json]                                      the inventory, with tags
  health HOST [--json]                                one health sample of a host
  exec HOST -- COMMAND...                             run one command; its exit code is the tool's
  tail HOST PATH [--lines N|+K] [--filter RE]         follow a log from its last N lines or from line K, across drops and rotations
  traces [--map REMOTE=LOCAL]... [--root DIR] [--json] < TEXT   find stack traces, map frames
  snapshot HOST PID [--engine auto|python|py-spy|eu-stack|gdb] [--json]   stacks of a live process
  sample HOST PID [--seconds N] [--hz H] [--idle] [--out FILE]  sampling profile: hottest stacks first
  incident start|note|milestone|action|close|write-up|show ...   the incident files in ./incidents (incident --help)
  incidents [--similar-to TRACE_FILE] [--text WORDS] [--json]   past incidents, or those like a trace

Hosts come from the ssh config (-F, default ~/.ssh/config) and ./.vscode/hosts.json.
Exit codes: 0 done, 2 bad usage, 3 cannot connect or authenticate, 4 host key refused.
`;

/** Takes `-F FILE` and `--hosts FILE` out of the arguments before `--`. */
function splitGlobalOptions(args: string[], io: CliIo): { inventory: InventoryOptions; rest: string[] } | undefined {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  const rest: string[] = [];
  let sshConfigFile = path.join(os.homedir(), '.ssh', 'config');
  let hostsJsonFile = path.resolve('.vscode', 'hosts.json');
  for (let i = 0; i < end; i++) {
    const arg = args[i];
    if (arg === '-F' || arg === '--hosts') {
      const value = args[++i];
      if (value === undefined || i >= end) {
        io.stderr.write(`firefighter: ${arg} needs a file\n`);
        return undefined;
      }
      if (arg === '-F') sshConfigFile = path.resolve(value);
      else hostsJsonFile = path.resolve(value);
    } else {
      rest.push(arg);
    }
  }
  return { inventory: { sshConfigFile, hostsJsonFile, env: io.env }, rest: [...rest, ...args.slice(end)] };
}

export async function runCli(args: string[], io: CliIo): Promise<number> {
  const parsed = splitGlobalOptions(args, io);
  if (!parsed) return ExitCode.usage;
  const [name, ...rest] = parsed.rest;
  // No prompts: an unknown host key fails (exit 4) unless the config says accept-new.
  const pool = new SshPool({
    resolveHost: (host) => {
      const found = loadInventory(parsed.inventory).hosts.find((candidate) => candidate.name === host);
      if (!found) throw new Error(`no host named "${host}" in ${parsed.inventory.sshConfigFile} or ${parsed.inventory.hostsJsonFile}`);
      return found.ssh;
    },
    agentSocket: io.env.SSH_AUTH_SOCK,
  });
  const connect: CliConnect = (host) => pool.connect(host);
  const commands: Record<string, CliCommand> = {
    hosts: makeHostsCommand(parsed.inventory),
    health: makeHealthCommand(connect),
    exec: makeExecCommand(connect),
    tail: makeTailCommand(connect),
    traces,
    snapshot: makeSnapshotCommand(connect),
    sample: makeSampleCommand(connect),
    incident: makeIncidentCommand(),
    incidents: makeIncidentsCommand(),
  };
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    io.stderr.write(name === undefined || name === '--help' || name === '-h' ? usage : `firefighter: unknown command "${name}"\n${usage}`);
    return name === '--help' || name === '-h' ? ExitCode.ok : ExitCode.usage;
  }
  try {
    return await command(rest, io);
  } finally {
    pool.dispose();
  }
}

if (require.main === module) {
  const controller = new AbortController();
  const interrupt = () => {
    controller.abort();
    // tail and exec stop at once on the abort; a command still connecting gets a moment, then goes.
    setTimeout(() => process.exit(130), 2000).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, interrupt);
  runCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
      // exec reads stdin; an open stdin would keep the process alive.
      process.stdin.destroy();
    },
    (error: unknown) => {
      process.stderr.write(`firefighter: ${errorMessage(error)}\n`);
      process.exitCode = 1;
    },
  );
}
