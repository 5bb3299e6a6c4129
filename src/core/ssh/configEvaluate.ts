// Evaluating ssh_config for one host as ssh(1) does (ssh_config(5)): the first value obtained
// wins, Host and Match blocks in file order, the user's file before the system's, `Match final`
// as a second pass, and the ProxyJump chain resolved hop by hop. Reading the files is
// configParse.ts; the result is a ResolvedHost (types.ts).
import type { ConfigLocation, HostOverrides, ParsedFile, Statement } from './configTypes';
import { SshConfigError } from './configTypes';
import { STRICT_VALUES, parseJumpSpec } from './configParse';
import {
  anchorPath,
  defaultIdentityFiles,
  expandEnvironment,
  expandHostName,
  expandTilde,
  expandTokens,
  parsePort,
  pathTokens,
  securityKeyType,
  wildcardMatch,
} from './configTokens';
import type { ResolvedHost } from './types';

export interface EvaluationContext {
  homeDir: string;
  env: NodeJS.ProcessEnv;
  localUser: string;
}

const MAX_JUMP_HOPS = 32;
const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
// Options that add to a list instead of keeping the first value obtained.
const CUMULATIVE_OPTIONS = new Set(['identityfile', 'certificatefile']);
// Options ssh2 has no equivalent for, keyed by their lower-case keyword.
const OPTIONS_ONLY_OPENSSH_HONOURS: Record<string, string> = {
  proxycommand: 'ProxyCommand',
  pkcs11provider: 'PKCS11Provider',
  knownhostscommand: 'KnownHostsCommand',
  hostkeyalias: 'HostKeyAlias',
};
const PROXY_OPTIONS = new Set(['proxyjump', 'proxycommand']);

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

export function resolveAlias(
  roots: ParsedFile[],
  context: EvaluationContext,
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
    evaluation.lists.set(
      'identityfile',
      overrides.identityFiles.map((file) => ({ args: [file] })),
    );
  }

  roots.forEach((root) => evaluateFile(root, evaluation));
  if (evaluation.wantsFinalPass) {
    // `Match final`: ssh reads the config again, Host lines now matching the HostName.
    evaluation.finalPass = true;
    evaluation.matchHost = expandHostName(evaluation.values.get('hostname')?.args[0], alias);
    roots.forEach((root) => evaluateFile(root, evaluation));
  }
  return buildResolvedHost(roots, context, evaluation, jumpStack);
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

function buildResolvedHost(roots: ParsedFile[], context: EvaluationContext, evaluation: Evaluation, jumpStack: string[]): ResolvedHost {
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

  // GSSAPI (Kerberos) is one more login method, not a route: Debian's /etc/ssh/ssh_config sets
  // it for every host, and key or agent logins through ssh2 work regardless. It is only named
  // when ssh2's login fails (auth.ts).
  const gssapi = values.get('gssapiauthentication');
  const gssapiAuthentication =
    gssapi && ['yes', 'true'].includes(gssapi.args[0].toLowerCase()) ? `GSSAPIAuthentication yes${locate(gssapi)}` : undefined;
  const hashKnownHosts = ['yes', 'true'].includes((first('hashknownhosts') ?? 'no').toLowerCase());
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
    ...(gssapiAuthentication ? { gssapiAuthentication } : {}),
    ...(hashKnownHosts ? { hashKnownHosts } : {}),
    ...(evaluation.source ? { source: evaluation.source } : {}),
  };
  if (proxyJumpText !== undefined && proxyJumpText.toLowerCase() !== 'none') {
    const endpoint = describeEndpoint(host);
    if (jumpStack.includes(endpoint)) {
      throw new SshConfigError(`ProxyJump loop: ${[...jumpStack, endpoint].join(' → ')}`, proxy?.at);
    }
    host.proxyJump = resolveJumpChain(roots, context, proxyJumpText, proxy?.at, [...jumpStack, endpoint]);
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
  roots: ParsedFile[],
  context: EvaluationContext,
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
    const hop = resolveAlias(roots, context, hopSpec.host, overrides, jumpStack);
    if (index === 0) chain.push(...hop.proxyJump);
    else hop.proxyJump = [...chain];
    chain.push(hop);
  }
  return chain;
}

function describeEndpoint(host: ResolvedHost): string {
  return `${host.user}@${host.alias}:${host.port}`;
}
