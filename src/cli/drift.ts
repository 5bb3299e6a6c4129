// `firefighter drift HOST [--json] [--repo DIR] [--ignore GLOB]...`: the files changed on a host's
// deploy directory that the repository does not have at the deployed revision
// (docs/architecture.md, "Hotfixes and drift"). Run from the repository, like git.
import { loadInventory, type InventoryOptions } from '../core/hosts/inventory';
import { DEFAULT_DRIFT_IGNORE } from '../core/hotfix/compare';
import { DriftError, readDrift } from '../core/hotfix/drift';
import { formatDriftText } from '../core/hotfix/format';
import { DeployedRevisionError } from '../core/traces/deployed';
import { git, GitError } from '../core/traces/revision';
import { connectOrExitCode, errorMessage, ExitCode, type CliCommand, type CliConnect } from './command';

const usage = 'usage: firefighter drift HOST [--json] [--repo DIR] [--ignore GLOB]...\n';

export function makeDriftCommand(connect: CliConnect, inventoryOptions: InventoryOptions): CliCommand {
  return async (args, io) => {
    let json = false;
    let repoDir = process.cwd();
    const ignore: string[] = [];
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === '--json') json = true;
      else if (arg === '--repo' || arg === '--ignore') {
        const value = args[++i];
        if (value === undefined) {
          io.stderr.write(`firefighter: ${arg} needs a value\n${usage}`);
          return ExitCode.usage;
        }
        if (arg === '--repo') repoDir = value;
        else ignore.push(value);
      } else positional.push(arg);
    }
    if (positional.length !== 1 || positional[0].startsWith('-')) {
      io.stderr.write(usage);
      return ExitCode.usage;
    }
    const host = loadInventory(inventoryOptions).hosts.find((candidate) => candidate.name === positional[0]);
    if (!host) {
      io.stderr.write(
        `firefighter: no host named "${positional[0]}" in ${inventoryOptions.sshConfigFile} or ${inventoryOptions.hostsJsonFile}\n`,
      );
      return ExitCode.usage;
    }
    let repo: string;
    try {
      repo = (await git(repoDir, ['rev-parse', '--show-toplevel'])).trim();
    } catch {
      io.stderr.write(`firefighter: ${repoDir} is not in a git repository; run drift from the repository or give --repo DIR\n`);
      return ExitCode.usage;
    }
    const runner = await connectOrExitCode(connect, host.name, io);
    if (typeof runner === 'number') return runner;
    try {
      const report = await readDrift({ repo, runner, host, ignore: [...DEFAULT_DRIFT_IGNORE, ...ignore] });
      io.stdout.write(json ? `${JSON.stringify(report)}\n` : formatDriftText(report));
      return ExitCode.ok;
    } catch (error) {
      io.stderr.write(`firefighter: ${errorMessage(error)}\n`);
      // A failure of the connection itself is exit 3, like every command; the rest is 1.
      return error instanceof DriftError || error instanceof DeployedRevisionError || error instanceof GitError ? 1 : ExitCode.connect;
    }
  };
}
