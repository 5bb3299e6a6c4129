// ssh_config resolution with OpenSSH's semantics (ssh_config(5)), so a host connects through the
// extension exactly as `ssh -F FILE HOST` would. The `ssh-config` package tokenises the files;
// the evaluation is ours because the package's own `compute` ignores `Include`, matches `?` as
// "zero or one character", compares case-sensitively and keeps no line numbers.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shellWord } from '../util/shell';
import type { ResolvedHost, StrictHostKeyChecking } from './types';

type SshConfigModule = typeof import('ssh-config', { with: { 'resolution-mode': 'import' } });
type SshConfigLine = ReturnType<SshConfigModule['parse']>[number];
// eslint-disable-next-line @typescript-eslint/no-require-imports -- ssh-config ships ESM-only typings for a CommonJS build; this is the build esbuild bundles.
const { parse, LineType }: SshConfigModule = require('ssh-config');

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

export interface SshConfigOptions {
  configFile: string;
  /** The local user's home: `~`, `%d`, relative `Include`s (against ~/.ssh) and default identities. */
  homeDir?: string;
  /** Environment for `${VAR}` in paths and for the local user name. */
  env?: NodeJS.ProcessEnv;
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

export interface SshConfig {
  readonly configFile: string;
  /** Concrete host names in file order (Includes expanded in place), first declaration wins. */
  readonly hosts: ConfigHost[];
  /** Lines that were skipped, with why; everything else still applies. */
  readonly problems: ConfigProblem[];
  /** Throws SshConfigError for a ProxyJump loop. */
  resolve(alias: string, overrides?: HostOverrides): ResolvedHost;
}

type MatchCriterion = { name: string; negated: boolean; patterns: string[] };

type Statement =
  | { kind: 'host'; patterns: string[]; at: ConfigLocation }
  | { kind: 'match'; criteria: MatchCriterion[]; at: ConfigLocation }
  | { kind: 'include'; files: ParsedFile[]; at: ConfigLocation }
  | { kind: 'option'; keyword: string; args: string[]; at: ConfigLocation };

interface ParsedFile {
  path: string;
  statements: Statement[];
}

interface Context {
  homeDir: string;
  env: NodeJS.ProcessEnv;
  localUser: string;
  problems: ConfigProblem[];
}

// OpenSSH's ReadConfigFile depth limit; it also stops an Include that includes itself.
const MAX_INCLUDE_DEPTH = 16;
const MAX_JUMP_HOPS = 32;
// The identities ssh tries when no IdentityFile is configured, in its order (OpenSSH 9).
const DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];
const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
// Options that add to a list instead of keeping the first value obtained.
const CUMULATIVE_OPTIONS = new Set(['identityfile', 'certificatefile']);
const PATH_TOKENS = new Set(['%', 'C', 'd', 'h', 'i', 'j', 'k', 'L', 'l', 'n', 'p', 'r', 'u']);
const HOSTNAME_TOKENS = new Set(['%', 'h']);
const MATCH_CRITERIA = new Set(['all', 'canonical', 'final', 'exec', 'localnetwork', 'host', 'originalhost', 'tagged', 'user', 'localuser', 'version', 'sessiontype', 'command']);
// Options ssh2 has no equivalent for, keyed by their lower-case keyword.
const OPTIONS_ONLY_OPENSSH_HONOURS: Record<string, string> = {
  proxycommand: 'ProxyCommand',
  pkcs11provider: 'PKCS11Provider',
  knownhostscommand: 'KnownHostsCommand',
  hostkeyalias: 'HostKeyAlias',
};
const PROXY_OPTIONS = new Set(['proxyjump', 'proxycommand']);
const YES_NO = new Set(['yes', 'no', 'true', 'false']);
const STRICT_VALUES: Record<string, StrictHostKeyChecking> = {
  yes: 'yes', true: 'yes', no: 'no', false: 'no', off: 'no', ask: 'ask', 'accept-new': 'accept-new',
};

export function loadSshConfig(options: SshConfigOptions): SshConfig {
  const env = options.env ?? process.env;
  const context: Context = {
    homeDir: options.homeDir ?? os.homedir(),
    env,
    localUser: localUserName(env),
    problems: [],
  };
  const configFile = path.resolve(options.configFile);
  const root = readConfigFile(configFile, context, 0, undefined);
  return {
    configFile,
    hosts: listConcreteHosts(root),
    problems: sortProblems(context.problems),
    resolve: (alias, overrides) => resolveAlias(root, context, alias, overrides ?? {}, []),
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
export function sshCommandLine(
  host: ResolvedHost,
  configFile: string,
  options: Omit<SshConfigOptions, 'configFile'> = {},
): string[] {
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

// ---------------------------------------------------------------------------------------------
// Reading files

function readConfigFile(file: string, context: Context, depth: number, includedAt: ConfigLocation | undefined): ParsedFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A missing ~/.ssh/config is normal; an Include naming a file that vanished is reported.
    if (code !== 'ENOENT' || includedAt) {
      const where = includedAt ?? { file };
      context.problems.push({ ...where, message: `cannot read ${file}: ${(error as Error).message}` });
    }
    return { path: file, statements: [] };
  }
  const statements: Statement[] = [];
  let lineNumber = 1;
  const visit = (node: SshConfigLine): void => {
    lineNumber += countNewlines(node.before);
    if (node.type === LineType.DIRECTIVE && node.param) {
      const statement = toStatement(node, { file, line: lineNumber }, context, depth);
      if (statement) statements.push(statement);
    }
    lineNumber += countNewlines(node.after);
    if ('config' in node) node.config.forEach(visit);
  };
  parseRecovering(text, file, context.problems).forEach(visit);
  return { path: file, statements };
}

/** Parses the file; a line the tokeniser rejects is reported with its number and left out. */
function parseRecovering(text: string, file: string, problems: ConfigProblem[]): SshConfigLine[] {
  const lines = text.split('\n');
  for (;;) {
    try {
      return [...parse(lines.join('\n'))];
    } catch (error) {
      const bad = lines.findIndex((line) => {
        try {
          parse(line);
          return false;
        } catch {
          return true;
        }
      });
      if (bad < 0) {
        problems.push({ file, message: `cannot parse: ${(error as Error).message}` });
        return [];
      }
      problems.push({ file, line: bad + 1, message: `${lines[bad].trim()}: ${describeParseError(error as Error)}` });
      // A broken Host or Match line still ends the block before it; its own options must not
      // leak into that block, so it becomes a block that matches nothing.
      lines[bad] = /^\s*(host|match)\b/i.test(lines[bad]) ? 'Host !*' : '';
    }
  }
}

function describeParseError(error: Error): string {
  if (/Unexpected line break/.test(error.message)) return 'unbalanced quotes';
  const missing = /Missing value for match criteria (\S+)/.exec(error.message);
  if (missing) return `Match ${missing[1]} needs a value`;
  return 'needs a value';
}

function countNewlines(text: string): number {
  let count = 0;
  for (const char of text) if (char === '\n') count++;
  return count;
}

function toStatement(
  node: Extract<SshConfigLine, { param: string }>,
  at: ConfigLocation,
  context: Context,
  depth: number,
): Statement | undefined {
  const keyword = node.param.toLowerCase();
  const args = Array.isArray(node.value) ? node.value.map((part) => part.val) : node.value ? [node.value] : [];
  // A rejected Host or Match line still ends the block before it, as a block matching nothing,
  // so the options under it do not leak into that block.
  const neverMatches: Statement = { kind: 'host', patterns: [], at };
  const problem = (message: string): Statement | undefined => {
    context.problems.push({ ...at, message: `${node.param}: ${message}` });
    return keyword === 'host' || keyword === 'match' ? neverMatches : undefined;
  };
  if (args.length === 0) return problem('needs a value');
  switch (keyword) {
    case 'host':
      return { kind: 'host', patterns: args, at };
    case 'match':
      return parseMatch(node.param, args, at, context) ?? neverMatches;
    case 'include': {
      if (depth >= MAX_INCLUDE_DEPTH) return problem(`nested more than ${MAX_INCLUDE_DEPTH} deep (does a file include itself?)`);
      const files: ParsedFile[] = [];
      for (const arg of args) {
        const expanded = expandEnvironment(arg, context.env);
        if (expanded.unknown.length) return problem(`environment variable ${expanded.unknown[0]} is not set`);
        const pattern = anchorPath(expandTilde(expanded.value, context.homeDir), context.homeDir);
        for (const file of expandGlob(pattern)) files.push(readConfigFile(file, context, depth + 1, at));
      }
      return { kind: 'include', files, at };
    }
  }
  const error = validateOption(keyword, args, context.env);
  if (error) return problem(error);
  return { kind: 'option', keyword, args, at };
}

function parseMatch(param: string, args: string[], at: ConfigLocation, context: Context): Statement | undefined {
  const criteria: MatchCriterion[] = [];
  for (let i = 0; i < args.length; i++) {
    const negated = args[i].startsWith('!');
    const name = args[i].slice(negated ? 1 : 0).toLowerCase();
    if (!MATCH_CRITERIA.has(name)) {
      context.problems.push({ ...at, message: `${param}: unknown criterion "${args[i]}"` });
      return undefined;
    }
    const takesValue = !['all', 'canonical', 'final'].includes(name);
    const value = takesValue ? args[++i] : undefined;
    if (takesValue && value === undefined) {
      context.problems.push({ ...at, message: `${param}: ${name} needs a value` });
      return undefined;
    }
    criteria.push({ name, negated, patterns: value === undefined ? [] : value.split(',') });
  }
  return { kind: 'match', criteria, at };
}

function validateOption(keyword: string, args: string[], env: NodeJS.ProcessEnv): string | undefined {
  const value = args[0];
  switch (keyword) {
    case 'port':
      return parsePort(value) === undefined ? `"${value}" is not a port number (1-65535)` : undefined;
    case 'stricthostkeychecking':
      return value.toLowerCase() in STRICT_VALUES ? undefined : `"${value}" is not one of yes, no, ask, accept-new`;
    case 'identitiesonly':
    case 'gssapiauthentication':
      return YES_NO.has(value.toLowerCase()) ? undefined : `"${value}" is not yes or no`;
    case 'proxyjump':
      return parseJumpSpec(args.join(' ')).error;
    case 'hostname':
      return unknownTokenError(value, HOSTNAME_TOKENS, env);
    case 'identityfile':
    case 'certificatefile':
    case 'userknownhostsfile':
    case 'globalknownhostsfile':
      for (const arg of args) {
        const error = unknownTokenError(arg, PATH_TOKENS, env);
        if (error) return error;
      }
      return undefined;
    default:
      return undefined;
  }
}

function unknownTokenError(text: string, allowed: Set<string>, env: NodeJS.ProcessEnv): string | undefined {
  const bad = /%(.?)/g;
  for (let match = bad.exec(text); match; match = bad.exec(text)) {
    if (!allowed.has(match[1])) return `unknown token %${match[1]} in "${text}"`;
  }
  const missing = expandEnvironment(text, env).unknown[0];
  return missing ? `environment variable ${missing} is not set` : undefined;
}

function listConcreteHosts(root: ParsedFile): ConfigHost[] {
  const hosts: ConfigHost[] = [];
  const seen = new Set<string>();
  const walk = (file: ParsedFile): void => {
    for (const statement of file.statements) {
      if (statement.kind === 'include') statement.files.forEach(walk);
      if (statement.kind !== 'host') continue;
      for (const pattern of statement.patterns) {
        if (/[*?]/.test(pattern) || pattern.startsWith('!') || seen.has(pattern.toLowerCase())) continue;
        seen.add(pattern.toLowerCase());
        hosts.push({ name: pattern, ...statement.at });
      }
    }
  };
  walk(root);
  return hosts;
}

// ---------------------------------------------------------------------------------------------
// Evaluating a host

interface Obtained {
  args: string[];
  /** Undefined for a command-line override. */
  at?: ConfigLocation;
}

interface Evaluation {
  alias: string;
  /** Current HostName (for `Match host`), and in the final pass what `Host` lines match. */
  matchHost: string;
  user: string;
  localUser: string;
  finalPass: boolean;
  wantsFinalPass: boolean;
  values: Map<string, Obtained>;
  lists: Map<string, Obtained[]>;
  source?: ConfigLocation;
  notEvaluated: string[];
}

function resolveAlias(
  root: ParsedFile,
  context: Context,
  alias: string,
  overrides: HostOverrides,
  jumpStack: string[],
): ResolvedHost {
  const evaluation: Evaluation = {
    alias,
    matchHost: overrides.hostName ?? alias,
    user: overrides.user ?? context.localUser,
    localUser: context.localUser,
    finalPass: false,
    wantsFinalPass: false,
    values: new Map(),
    lists: new Map(),
    notEvaluated: [],
  };
  // Command-line values are obtained first, so they win over the config (OpenSSH's order).
  if (overrides.hostName !== undefined) evaluation.values.set('hostname', { args: [overrides.hostName] });
  if (overrides.user !== undefined) evaluation.values.set('user', { args: [overrides.user] });
  if (overrides.port !== undefined) evaluation.values.set('port', { args: [String(overrides.port)] });
  if (overrides.proxyJump !== undefined) evaluation.values.set('proxyjump', { args: [overrides.proxyJump] });
  if (overrides.identityFiles?.length) {
    evaluation.lists.set('identityfile', overrides.identityFiles.map((file) => ({ args: [file] })));
  }

  evaluateFile(root, evaluation);
  if (evaluation.wantsFinalPass) {
    // `Match final`: ssh reads the config again, Host lines now matching the HostName.
    evaluation.finalPass = true;
    evaluation.matchHost = expandHostName(evaluation.values.get('hostname')?.args[0], alias);
    evaluateFile(root, evaluation);
  }
  return buildResolvedHost(root, context, evaluation, jumpStack);
}

function evaluateFile(file: ParsedFile, evaluation: Evaluation): void {
  let active = true;
  for (const statement of file.statements) {
    switch (statement.kind) {
      case 'host':
        active = hostLineMatches(statement.patterns, evaluation.finalPass ? evaluation.matchHost : evaluation.alias);
        if (active && !evaluation.source && statement.patterns.some((p) => p.toLowerCase() === evaluation.alias.toLowerCase())) {
          evaluation.source = statement.at;
        }
        break;
      case 'match':
        active = matchLineMatches(statement, evaluation);
        break;
      case 'include':
        // An Include in an inactive block reads nothing; one in an active block cannot change
        // the including file's state, whatever Host lines the included file has.
        if (active) statement.files.forEach((included) => evaluateFile(included, evaluation));
        break;
      case 'option':
        if (active) applyOption(statement, evaluation);
        break;
    }
  }
}

function applyOption(statement: Extract<Statement, { kind: 'option' }>, evaluation: Evaluation): void {
  const { keyword, args, at } = statement;
  if (CUMULATIVE_OPTIONS.has(keyword)) {
    const list = evaluation.lists.get(keyword) ?? [];
    list.push({ args, at });
    evaluation.lists.set(keyword, list);
    return;
  }
  if (evaluation.values.has(keyword)) return;
  // ProxyJump and ProxyCommand exclude each other: whichever is obtained first wins.
  if (PROXY_OPTIONS.has(keyword) && [...PROXY_OPTIONS].some((proxy) => evaluation.values.has(proxy))) return;
  evaluation.values.set(keyword, { args, at });
  if (keyword === 'hostname') evaluation.matchHost = expandHostName(args[0], evaluation.alias);
  if (keyword === 'user') evaluation.user = args[0];
}

function hostLineMatches(patterns: string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

function matchLineMatches(statement: Extract<Statement, { kind: 'match' }>, evaluation: Evaluation): boolean {
  let all = true;
  for (const criterion of statement.criteria) {
    let result: boolean;
    switch (criterion.name) {
      case 'all':
        result = true;
        break;
      case 'canonical':
      case 'final':
        if (!evaluation.finalPass) evaluation.wantsFinalPass = true;
        result = evaluation.finalPass;
        break;
      case 'host':
        result = hostLineMatches(criterion.patterns, evaluation.matchHost);
        break;
      case 'originalhost':
        result = hostLineMatches(criterion.patterns, evaluation.alias);
        break;
      case 'user':
        result = hostLineMatches(criterion.patterns, evaluation.user);
        break;
      case 'localuser':
        result = hostLineMatches(criterion.patterns, evaluation.localUser);
        break;
      default:
        // exec, tagged, localnetwork…: only ssh itself can decide these.
        evaluation.notEvaluated.push(`Match ${criterion.name} (${statement.at.file}:${statement.at.line}) is only evaluated by OpenSSH`);
        result = false;
    }
    if (criterion.negated) result = !result;
    all &&= result;
  }
  return all;
}

function buildResolvedHost(root: ParsedFile, context: Context, evaluation: Evaluation, jumpStack: string[]): ResolvedHost {
  const { alias, values, lists } = evaluation;
  const first = (keyword: string): string | undefined => values.get(keyword)?.args[0];
  const locate = (obtained: Obtained | undefined): string => (obtained?.at ? ` (${obtained.at.file}:${obtained.at.line})` : '');

  const hostName = expandHostName(first('hostname'), alias);
  const port = parsePort(first('port') ?? '22') ?? 22;
  const user = first('user') ?? context.localUser;
  const needsOpenSsh = [...new Set(evaluation.notEvaluated)];

  const proxy = values.get('proxyjump');
  const proxyJumpText = proxy?.args.join(' ');
  const tokens = pathTokens(context, { alias, hostName, port, user, proxyJump: proxyJumpText ?? '' });
  const expandPath = (raw: string): string =>
    anchorPath(expandTilde(expandEnvironment(expandTokens(raw, tokens), context.env).value, context.homeDir), context.homeDir);

  const configured = (lists.get('identityfile') ?? [])
    .flatMap((entry) => entry.args)
    .filter((file) => file.toLowerCase() !== 'none')
    .map(expandPath);
  const identityFiles = [...new Set(configured.length > 0 ? configured : defaultIdentityFiles(context.homeDir))];
  // Only configured identities: ssh2 skips a default security key and tries the other defaults.
  for (const file of configured) {
    const keyType = securityKeyType(file);
    if (keyType) needsOpenSsh.push(`identity ${file} is a security key (${keyType})`);
  }

  const userKnownHosts = values.get('userknownhostsfile')?.args ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
  const globalKnownHosts = values.get('globalknownhostsfile')?.args ?? DEFAULT_GLOBAL_KNOWN_HOSTS;
  const knownHostsFiles = [...userKnownHosts, ...globalKnownHosts].filter((file) => file.toLowerCase() !== 'none').map(expandPath);

  if (['yes', 'true'].includes((first('gssapiauthentication') ?? 'no').toLowerCase())) {
    needsOpenSsh.push(`GSSAPIAuthentication yes${locate(values.get('gssapiauthentication'))}`);
  }
  for (const [keyword, name] of Object.entries(OPTIONS_ONLY_OPENSSH_HONOURS)) {
    const obtained = values.get(keyword);
    if (obtained && obtained.args[0].toLowerCase() !== 'none') needsOpenSsh.push(`${name}${locate(obtained)}`);
  }
  for (const certificate of lists.get('certificatefile') ?? []) {
    needsOpenSsh.push(`CertificateFile${locate(certificate)}`);
  }

  const host: ResolvedHost = {
    alias,
    hostName,
    port,
    user,
    identityFiles,
    identitiesOnly: ['yes', 'true'].includes((first('identitiesonly') ?? 'no').toLowerCase()),
    proxyJump: [],
    knownHostsFiles,
    strictHostKeyChecking: STRICT_VALUES[(first('stricthostkeychecking') ?? 'ask').toLowerCase()],
    needsOpenSsh,
    ...(evaluation.source ? { source: evaluation.source } : {}),
  };
  if (proxyJumpText !== undefined && proxyJumpText.toLowerCase() !== 'none') {
    const endpoint = describeEndpoint(host);
    if (jumpStack.includes(endpoint)) {
      throw new SshConfigError(`ProxyJump loop: ${[...jumpStack, endpoint].join(' → ')}`, proxy?.at);
    }
    host.proxyJump = resolveJumpChain(root, context, proxyJumpText, proxy?.at, [...jumpStack, endpoint]);
    for (const hop of host.proxyJump) {
      for (const reason of hop.needsOpenSsh) needsOpenSsh.push(`via ${hop.alias}: ${reason}`);
    }
  }
  return host;
}

/**
 * The hops of a ProxyJump list in dialling order. As with `ssh -J a,b`, only the first hop's own
 * ProxyJump applies (its hops come before it); a later hop is reached through the hops before
 * it. Each hop's `proxyJump` is the hops that precede it, so every entry says how to reach it.
 */
function resolveJumpChain(
  root: ParsedFile,
  context: Context,
  spec: string,
  at: ConfigLocation | undefined,
  jumpStack: string[],
): ResolvedHost[] {
  const { hops: specs, error } = parseJumpSpec(spec);
  if (error) throw new SshConfigError(`ProxyJump ${error}`, at);
  const chain: ResolvedHost[] = [];
  for (const [index, hopSpec] of specs.entries()) {
    if (jumpStack.length > MAX_JUMP_HOPS) throw new SshConfigError(`ProxyJump chain longer than ${MAX_JUMP_HOPS} hops`, at);
    const overrides: HostOverrides = { ...(hopSpec.user ? { user: hopSpec.user } : {}), ...(hopSpec.port ? { port: hopSpec.port } : {}) };
    if (index > 0) overrides.proxyJump = 'none';
    const hop = resolveAlias(root, context, hopSpec.host, overrides, jumpStack);
    if (index === 0) chain.push(...hop.proxyJump);
    else hop.proxyJump = [...chain];
    chain.push(hop);
  }
  return chain;
}

function describeEndpoint(host: ResolvedHost): string {
  return `${host.user}@${host.alias}:${host.port}`;
}

interface JumpHopSpec {
  user?: string;
  host: string;
  port?: number;
}

function parseJumpSpec(text: string): { hops: JumpHopSpec[]; error?: string } {
  if (text.trim().toLowerCase() === 'none') return { hops: [] };
  const hops: JumpHopSpec[] = [];
  for (const raw of text.split(',')) {
    let rest = raw.trim().replace(/^ssh:\/\//, '');
    const at = rest.lastIndexOf('@');
    const user = at >= 0 ? rest.slice(0, at) : undefined;
    rest = rest.slice(at + 1);
    let host = rest;
    let portText: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
    if (bracketed) {
      [, host, portText] = bracketed;
    } else if (rest.split(':').length === 2) {
      [host, portText] = rest.split(':');
    }
    const port = portText === undefined ? undefined : parsePort(portText);
    if (!host || user === '' || /\s/.test(host) || (portText !== undefined && port === undefined)) {
      return { hops: [], error: `"${raw.trim()}" is not [user@]host[:port]` };
    }
    hops.push({ host, ...(user ? { user } : {}), ...(port ? { port } : {}) });
  }
  return { hops };
}

// ---------------------------------------------------------------------------------------------
// Tokens, paths and patterns

function expandHostName(value: string | undefined, alias: string): string {
  return value === undefined ? alias : expandTokens(value, { h: alias, '%': '%' });
}

function pathTokens(
  context: Context,
  host: { alias: string; hostName: string; port: number; user: string; proxyJump: string },
): Record<string, string> {
  const localHost = os.hostname();
  return {
    '%': '%',
    C: createHash('sha1').update(`${localHost}${host.hostName}${host.port}${host.user}`).digest('hex'),
    d: context.homeDir,
    h: host.hostName,
    i: String(os.userInfo().uid),
    j: host.proxyJump,
    k: host.alias,
    L: localHost.split('.')[0],
    l: localHost,
    n: host.alias,
    p: String(host.port),
    r: host.user,
    u: context.localUser,
  };
}

function expandTokens(text: string, tokens: Record<string, string>): string {
  return text.replace(/%(.)/g, (whole, token: string) => tokens[token] ?? whole);
}

function expandEnvironment(text: string, env: NodeJS.ProcessEnv): { value: string; unknown: string[] } {
  const unknown: string[] = [];
  const value = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_whole, name: string) => {
    const found = env[name];
    if (found === undefined) unknown.push(name);
    return found ?? '';
  });
  return { value, unknown };
}

function expandTilde(file: string, homeDir: string): string {
  if (file === '~') return homeDir;
  return file.startsWith('~/') ? path.join(homeDir, file.slice(2)) : file;
}

/** OpenSSH reads a relative path in a user config against ~/.ssh. */
function anchorPath(file: string, homeDir: string): string {
  return path.isAbsolute(file) ? file : path.join(homeDir, '.ssh', file);
}

function defaultIdentityFiles(homeDir: string): string[] {
  return DEFAULT_IDENTITY_FILES.map((name) => path.join(homeDir, '.ssh', name)).filter((file) => fs.existsSync(file));
}

function localUserName(env: NodeJS.ProcessEnv): string {
  return env.USER || env.LOGNAME || os.userInfo().username;
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** `*` any run of characters, `?` exactly one; case-insensitive as OpenSSH matches host names. */
export function wildcardMatch(pattern: string, text: string): boolean {
  return wildcardRegExp(pattern, 'i').test(text);
}

function wildcardRegExp(pattern: string, flags: string, classes = false): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (classes && char === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2);
      const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = end;
    } else source += char.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, flags);
}

/** glob(3) for Include: `*`, `?`, `[...]` per path segment, no dot files by wildcard, sorted. */
function expandGlob(pattern: string): string[] {
  const { root } = path.parse(pattern);
  let matches = [root];
  for (const segment of pattern.slice(root.length).split(path.sep).filter(Boolean)) {
    const next: string[] = [];
    for (const dir of matches) {
      if (!/[*?[]/.test(segment)) {
        next.push(path.join(dir, segment));
        continue;
      }
      const segmentPattern = wildcardRegExp(segment, '', true);
      let names: string[];
      try {
        names = fs.readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        if (segmentPattern.test(name) && (!name.startsWith('.') || segment.startsWith('.'))) next.push(path.join(dir, name));
      }
    }
    matches = next;
  }
  return matches.filter((file) => {
    try {
      return !fs.statSync(file).isDirectory();
    } catch {
      return false;
    }
  });
}

/** The key type of a security-key (FIDO) identity, which ssh2 cannot use; undefined otherwise. */
function securityKeyType(file: string): string | undefined {
  try {
    const publicType = fs.readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/)[0];
    return publicType.startsWith('sk-') ? publicType : undefined;
  } catch {
    // No .pub beside it: the OpenSSH private key format carries the public key unencrypted.
  }
  try {
    const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(fs.readFileSync(file, 'utf8'))?.[1];
    if (!body) return undefined;
    const data = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    const magic = 'openssh-key-v1\0';
    if (data.subarray(0, magic.length).toString('latin1') !== magic) return undefined;
    let offset = magic.length;
    const readString = (): Buffer => {
      const length = data.readUInt32BE(offset);
      const value = data.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      return value;
    };
    readString(); // cipher name
    readString(); // kdf name
    readString(); // kdf options
    offset += 4; // number of keys
    const publicKey = readString();
    const type = publicKey.subarray(4, 4 + publicKey.readUInt32BE(0)).toString('latin1');
    return type.startsWith('sk-') ? type : undefined;
  } catch {
    return undefined;
  }
}
