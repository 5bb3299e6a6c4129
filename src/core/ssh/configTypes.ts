// Shapes shared by the ssh_config reader (configParse.ts), its evaluation (configEvaluate.ts)
// and the public entry points (config.ts).

export interface ConfigLocation {
  file: string;
  line: number;
}

/** A problem in a config file. `line` is absent when the problem is the file as a whole. */
export interface ConfigProblem {
  file: string;
  line?: number;
  message: string;
}

/** A resolution that cannot produce a usable host (a ProxyJump loop). */
export class SshConfigError extends Error {
  constructor(
    /** What is wrong, without the location. */
    readonly reason: string,
    readonly location?: ConfigLocation,
  ) {
    super(location ? `${location.file}:${location.line}: ${reason}` : reason);
    this.name = 'SshConfigError';
  }
}

/** What `ssh` command-line flags would set (-o HostName=, -l, -p, -i, -J); these win over the config. */
export interface HostOverrides {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles?: string[];
  /** ProxyJump syntax: `[user@]host[:port]` hops separated by commas, or `none`. */
  proxyJump?: string;
}

/** A concrete name from a `Host` line; wildcard blocks only supply options and are not listed. */
export interface ConfigHost {
  name: string;
  file: string;
  line: number;
}

export type MatchCriterion = { name: string; negated: boolean; patterns: string[] };

export type Statement =
  | { kind: 'host'; patterns: string[]; at: ConfigLocation }
  | { kind: 'match'; criteria: MatchCriterion[]; at: ConfigLocation }
  | { kind: 'include'; files: ParsedFile[]; at: ConfigLocation }
  | { kind: 'option'; keyword: string; args: string[]; at: ConfigLocation };

export interface ParsedFile {
  path: string;
  statements: Statement[];
}
