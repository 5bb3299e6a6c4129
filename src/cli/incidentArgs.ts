// Flags of the incident commands: `--flag VALUE` or `--flag=VALUE`, repeatable where said, and
// positional arguments in order.
import { UsageError } from './command';

export interface ParsedArgs {
  positional: string[];
  /** Every value given for each flag, in order. */
  values: Map<string, string[]>;
  switches: Set<string>;
}

export function parseArgs(args: string[], spec: { values?: string[]; switches?: string[] }): ParsedArgs {
  const parsed: ParsedArgs = { positional: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--') || arg === '--') {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (spec.switches?.includes(flag) && eq < 0) {
      parsed.switches.add(flag);
    } else if (spec.values?.includes(flag)) {
      const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      parsed.values.set(flag, [...(parsed.values.get(flag) ?? []), value]);
    } else {
      throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  return parsed;
}

/** The last value of a flag (a later one overrides an earlier one). */
export function lastValue(parsed: ParsedArgs, flag: string): string | undefined {
  return parsed.values.get(flag)?.at(-1);
}
