// `firefighter hosts [--json]`: the inventory with its tags, and any problems in the files.
import { loadInventory, type InventoryOptions } from '../core/hosts/inventory';
import { ExitCode, visible, type CliCommand } from './command';

export function makeHostsCommand(inventoryOptions: InventoryOptions): CliCommand {
  return async (args, io) => {
    const json = args.includes('--json');
    if (args.some((arg) => arg !== '--json')) {
      io.stderr.write('usage: firefighter hosts [--json]\n');
      return ExitCode.usage;
    }
    const { hosts, errors } = loadInventory(inventoryOptions);
    for (const problem of errors) {
      io.stderr.write(`firefighter: ${visible(`${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`)}\n`);
    }
    for (const host of hosts) {
      const { hostName, port, user, proxyJump } = host.ssh;
      if (json) {
        io.stdout.write(
          `${JSON.stringify({ name: host.name, address: hostName, port, user, tags: host.tags, group: host.group ?? null, proxyJump: proxyJump.map((hop) => hop.alias), origin: host.origin })}\n`,
        );
      } else {
        // Names, groups and tags come from files: shown, never acted on by the terminal.
        const via = proxyJump.length ? ` via ${proxyJump.map((hop) => hop.alias).join(',')}` : '';
        const tags = host.tags.length ? `  [${host.tags.join(', ')}]` : '';
        io.stdout.write(
          `${visible(`${host.name}  ${user}@${hostName}:${port}${via}${host.group ? `  group ${host.group}` : ''}${tags}`)}\n`,
        );
      }
    }
    return ExitCode.ok;
  };
}
