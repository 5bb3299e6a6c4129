// ssh_config resolution with OpenSSH's semantics (ssh_config(5)), so a host connects through the
// extension exactly as `ssh HOST` (or `ssh -F FILE HOST`) would: the user's file, then, unless a
// file of its own was named (as with -F), the system's /etc/ssh/ssh_config. Reading is
// configParse.ts, evaluating configEvaluate.ts, the token languages configTokens.ts
// (docs/architecture.md, "SSH").
import * as os from 'node:os';
import * as path from 'node:path';
import { shellWord } from '../util/shell';
import { resolveAlias, type EvaluationContext } from './configEvaluate';
import { listConcreteHosts, newParseContext, readConfigFile } from './configParse';
import { localUserName } from './configTokens';
import type { ConfigHost, ConfigProblem, HostOverrides } from './configTypes';
import type { ResolvedHost } from './types';

export { SshConfigError, type ConfigHost, type ConfigLocation, type ConfigProblem, type HostOverrides } from './configTypes';

/** Where OpenSSH reads its system-wide client config. */
export const SYSTEM_SSH_CONFIG = '/etc/ssh/ssh_config';

export interface SshConfigOptions {
  configFile: string;
  /** The local user's home: `~`, `%d`, relative `Include`s (against ~/.ssh) and default identities. */
  homeDir?: string;
  /** Environment for `${VAR}` in paths and for the local user name. */
  env?: NodeJS.ProcessEnv;
  /**
   * Read after `configFile`, as ssh reads /etc/ssh/ssh_config after ~/.ssh/config. By default
   * SYSTEM_SSH_CONFIG when `configFile` is the user's own ~/.ssh/config (no `homeDir` given);
   * none for another file (ssh -F FILE reads only FILE) or a home of its own (a sandbox).
   */
  systemConfigFile?: string | null;
}

export interface SshConfig {
  readonly configFile: string;
  /** Concrete host names in file order (Includes expanded in place), first declaration wins. */
  readonly hosts: ConfigHost[];
  /** Lines that were skipped, with why; everything else still applies. */
  readonly problems: ConfigProblem[];
  /** Throws SshConfigError for a ProxyJump loop. */
  resolve(alias: string, overrides?: HostOverrides): ResolvedHost;
}

export function loadSshConfig(options: SshConfigOptions): SshConfig {
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? os.homedir();
  const context: EvaluationContext = { homeDir, env, localUser: localUserName(env) };
  const parse = newParseContext(homeDir, env);
  const configFile = path.resolve(options.configFile);
  const isUserConfig = options.homeDir === undefined && configFile === path.join(homeDir, '.ssh', 'config');
  const systemFile = options.systemConfigFile !== undefined ? options.systemConfigFile : isUserConfig ? SYSTEM_SSH_CONFIG : null;
  // A missing top-level file is an empty config, as for ssh; one that cannot be read is reported.
  const roots = [readConfigFile(configFile, parse, { depth: 0, optional: true })];
  if (systemFile) roots.push(readConfigFile(systemFile, parse, { depth: 0, system: true, optional: true }));
  return {
    configFile,
    hosts: listConcreteHosts(roots),
    problems: sortProblems(parse.problems),
    resolve: (alias, overrides) => resolveAlias(roots, context, alias, overrides ?? {}, []),
  };
}

/** Resolves one host as `ssh -F configFile alias` would see it. */
export function resolveHost(alias: string, options: SshConfigOptions & { overrides?: HostOverrides }): ResolvedHost {
  return loadSshConfig(options).resolve(alias, options.overrides);
}

export function listConfigHosts(
  configFile: string,
  options: Omit<SshConfigOptions, 'configFile'> = {},
): { hosts: ConfigHost[]; errors: ConfigProblem[] } {
  const config = loadSshConfig({ ...options, configFile });
  return { hosts: config.hosts, errors: config.problems };
}

/**
 * The OpenSSH argv reaching `host`: `ssh [-F file] [overrides] alias`. Only what differs from
 * the config's own resolution of the alias is spelled out, so an ssh_config host stays
 * `ssh web-1` and a hosts.json host carries its address, user, port, identity and jumps.
 */
export function sshCommandLine(host: ResolvedHost, configFile: string, options: Omit<SshConfigOptions, 'configFile'> = {}): string[] {
  const homeDir = options.homeDir ?? os.homedir();
  const argv = ['ssh'];
  // Without -F ssh reads ~/.ssh/config itself (and the system config, as a user expects).
  if (path.resolve(configFile) !== path.join(homeDir, '.ssh', 'config')) argv.push('-F', configFile);
  const config = loadSshConfig({ ...options, configFile });
  const resolveOrUndefined = (overrides?: HostOverrides): ResolvedHost | undefined => {
    try {
      return config.resolve(host.alias, overrides);
    } catch {
      return undefined; // a jump loop in the config: spell everything out
    }
  };
  const bare = resolveOrUndefined();
  if (bare?.hostName !== host.hostName) argv.push('-o', `HostName=${host.hostName}`);
  if (bare?.port !== host.port) argv.push('-p', String(host.port));
  if (bare?.user !== host.user) argv.push('-l', host.user);
  // Identity paths may hold %r %h %p: compare with what the config gives under these flags.
  const plain = resolveOrUndefined({ hostName: host.hostName, port: host.port, user: host.user });
  for (const file of host.identityFiles) {
    if (!plain?.identityFiles.includes(file)) argv.push('-i', file);
  }
  if (plain?.identitiesOnly !== host.identitiesOnly) argv.push('-o', `IdentitiesOnly=${host.identitiesOnly ? 'yes' : 'no'}`);
  const jumps = formatJumpChain(host.proxyJump);
  if (!plain || formatJumpChain(plain.proxyJump) !== jumps) argv.push(...(jumps ? ['-J', jumps] : ['-o', 'ProxyJump=none']));
  argv.push(host.alias);
  return argv;
}

/** Orders problems by line within each file, files in the order they were first mentioned. */
export function sortProblems<T extends ConfigProblem>(problems: T[]): T[] {
  const fileOrder = new Map<string, number>();
  for (const problem of problems) if (!fileOrder.has(problem.file)) fileOrder.set(problem.file, fileOrder.size);
  return [...problems].sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || (a.line ?? 0) - (b.line ?? 0));
}

/** Joins an argv into one POSIX shell line (for "Copy ssh command"). */
export function shellQuote(argv: string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./~-]+$/.test(arg) ? arg : shellWord(arg))).join(' ');
}

function formatJumpChain(hops: ResolvedHost[]): string {
  return hops.map((hop) => `${hop.user}@${hop.alias.includes(':') ? `[${hop.alias}]` : hop.alias}:${hop.port}`).join(',');
}
