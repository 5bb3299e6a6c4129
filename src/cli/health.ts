// `firefighter health HOST [--json]`: one health sample of a host.
import { formatHealthText } from '../core/health/format';
import { HealthSampler } from '../core/health/sampler';
import { connectOrExitCode, errorMessage, ExitCode, type CliCommand, type CliConnect } from './command';

const usage = 'usage: firefighter health HOST [--json]\n';

export function makeHealthCommand(connect: CliConnect): CliCommand {
  return async (args, io) => {
    const json = args.includes('--json');
    const rest = args.filter((a) => a !== '--json');
    if (rest.length !== 1 || rest[0].startsWith('-')) {
      io.stderr.write(usage);
      return ExitCode.usage;
    }
    const runner = await connectOrExitCode(connect, rest[0], io);
    if (typeof runner === 'number') return runner;
    try {
      const reading = await new HealthSampler().sample(runner);
      io.stdout.write(json ? `${JSON.stringify(reading)}\n` : formatHealthText(reading));
      return ExitCode.ok;
    } catch (error) {
      // The connection worked but the read did not (channel dropped, exec timed out).
      io.stderr.write(`firefighter: ${errorMessage(error)}\n`);
      return ExitCode.connect;
    }
  };
}
