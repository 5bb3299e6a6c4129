// The `firefighter` command line: the same core as the extension, for runbooks and scripts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventBus } from '../core/events/bus';
import { writeEventsTo } from '../core/events/jsonLines';
import { loadInventory, type InventoryOptions } from '../core/hosts/inventory';
import { SshPool } from '../core/ssh/pool';
import type { Disposable } from '../core/util/events';
import { errorMessage, ExitCode, type CliCommand, type CliConnect, type CliIo } from './command';
import { makeDriftCommand } from './drift';
import { makeExecCommand } from './exec';
import { makeHealthCommand } from './health';
import { makeHostsCommand } from './hosts';
import { makeSampleCommand } from './sample';
import { makeSnapshotCommand } from './snapshot';
import { makeIncidentCommand, makeIncidentsCommand } from './incident';
import { makeTailCommand } from './tail';
import { makeTracesCommand } from './traces';

const usage = `usage: firefighter [-F SSH_CONFIG] [--hosts HOSTS_JSON] [--events FILE] COMMAND ...

  hosts [--json]                                      the inventory, with tags
  health HOST [--json]                                one health sample of a host
  exec HOST -- COMMAND...                             run one command; its exit code is the tool's
  tail HOST PATH [--lines N|+K] [--filter RE]         follow a log from its last N lines or from line K, across drops and rotations
  traces [--map REMOTE=LOCAL]... [--root DIR] [--json] < TEXT   find stack traces, map frames
  snapshot HOST PID [--engine auto|python|py-spy|eu-stack|gdb] [--json]   stacks of a live process
  sample HOST PID [--seconds N] [--hz H] [--idle] [--out FILE]  sampling profile: hottest stacks first
  incident start|note|milestone|action|close|write-up|show ...   the incident files in ./incidents (incident --help)
  drift HOST [--json] [--repo DIR] [--ignore GLOB]...   files changed on the host vs the repo at the deployed revision
  incidents [--similar-to TRACE_FILE] [--text WORDS] [--json]   past incidents, or those like a trace

Hosts come from the ssh config (-F, default ~/.ssh/config, then /etc/ssh/ssh_config) and
./.vscode/hosts.json. --events FILE appends the run's incident events to FILE as JSON lines.
Exit codes: 0 done, 2 bad usage, 3 cannot connect or authenticate, 4 host key refused,
130 interrupted; output into a closed pipe ends quietly with 141, as a Unix tool killed by SIGPIPE.
`;

/** A Unix tool killed by SIGPIPE: 128 + 13. */
const EXIT_BROKEN_PIPE = 141;

interface GlobalOptions {
  inventory: InventoryOptions;
  /** `--events FILE`. */
  eventsFile?: string;
  rest: string[];
}

/** Takes `-F FILE`, `--hosts FILE` and `--events FILE` out of the arguments before `--`. */
function splitGlobalOptions(args: string[], io: CliIo): GlobalOptions | undefined {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  const rest: string[] = [];
  let sshConfigFile: string | undefined;
  let hostsJsonFile: string | undefined;
  let eventsFile: string | undefined;
  for (let i = 0; i < end; i++) {
    const arg = args[i];
    if (arg === '-F' || arg === '--hosts' || arg === '--events') {
      const value = args[++i];
      if (value === undefined || i >= end) {
        io.stderr.write(`firefighter: ${arg} needs a file\n`);
        return undefined;
      }
      if (arg === '-F') sshConfigFile = path.resolve(value);
      else if (arg === '--hosts') hostsJsonFile = path.resolve(value);
      else eventsFile = path.resolve(value);
    } else {
      rest.push(arg);
    }
  }
  // A file named on the command line must be a file that is there (as `ssh -F` insists); the
  // defaults may be missing. /dev/zero or a FIFO would otherwise be read without end.
  for (const [flag, file] of [
    ['-F', sshConfigFile],
    ['--hosts', hostsJsonFile],
  ] as const) {
    const problem = file === undefined ? undefined : namedFileProblem(file);
    if (problem) {
      io.stderr.write(`firefighter: ${flag} ${errorMessage(file)}: ${problem}\n`);
      return undefined;
    }
  }
  return {
    inventory: {
      sshConfigFile: sshConfigFile ?? path.join(os.homedir(), '.ssh', 'config'),
      hostsJsonFile: hostsJsonFile ?? path.resolve('.vscode', 'hosts.json'),
      env: io.env,
    },
    ...(eventsFile !== undefined ? { eventsFile } : {}),
    rest: [...rest, ...args.slice(end)],
  };
}

function namedFileProblem(file: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(error);
  }
  return stat.isFile() ? undefined : 'not a regular file';
}

export async function runCli(args: string[], io: CliIo): Promise<number> {
  const parsed = splitGlobalOptions(args, io);
  if (!parsed) return ExitCode.usage;
  const [name, ...rest] = parsed.rest;
  // The run's events go to every command that publishes (its factory takes them); --events writes them as they happen.
  const events = new EventBus();
  let eventsSink: Disposable | undefined;
  if (parsed.eventsFile !== undefined) {
    try {
      eventsSink = writeEventsTo(events, parsed.eventsFile);
    } catch (error) {
      io.stderr.write(`firefighter: --events: ${errorMessage(error)}\n`);
      return ExitCode.usage;
    }
  }
  // No prompts: an unknown host key fails (exit 4) unless the config says accept-new.
  const pool = new SshPool({
    events,
    resolveHost: (host) => {
      const found = loadInventory(parsed.inventory).hosts.find((candidate) => candidate.name === host);
      if (!found)
        throw new Error(
          `no host named "${host}" in ${parsed.inventory.sshConfigFile} or ${parsed.inventory.hostsJsonFile}; \`firefighter hosts\` lists them`,
        );
      return found.ssh;
    },
    agentSocket: io.env.SSH_AUTH_SOCK,
  });
  const connect: CliConnect = (host) => pool.connect(host);
  const commands: Record<string, CliCommand> = {
    hosts: makeHostsCommand(parsed.inventory),
    health: makeHealthCommand(connect),
    exec: makeExecCommand(connect),
    tail: makeTailCommand(connect, events),
    traces: makeTracesCommand({ events }),
    snapshot: makeSnapshotCommand(connect, events),
    sample: makeSampleCommand(connect, events),
    drift: makeDriftCommand(connect, parsed.inventory),
    incident: makeIncidentCommand({ events }),
    incidents: makeIncidentsCommand({ events }),
  };
  const command = name === undefined || !Object.hasOwn(commands, name) ? undefined : commands[name];
  try {
    if (!command) {
      io.stderr.write(
        name === undefined || name === '--help' || name === '-h' ? usage : `firefighter: unknown command "${errorMessage(name)}"\n${usage}`,
      );
      return name === '--help' || name === '-h' ? ExitCode.ok : ExitCode.usage;
    }
    return await command(rest, io);
  } finally {
    pool.dispose();
    eventsSink?.dispose();
    events.dispose();
  }
}

if (require.main === module) {
  // Output into a closed pipe (`| head`) ends the run quietly, for every command, as Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
      throw error;
    });
  }
  const controller = new AbortController();
  const interrupt = () => {
    controller.abort();
    // tail and exec stop at once on the abort; a command still connecting is not waited for long.
    setTimeout(() => process.exit(ExitCode.interrupted), 2000).unref();
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
