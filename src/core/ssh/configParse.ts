// Reading ssh_config files into statements, line by line as OpenSSH's readconf.c does: a line is
// `Keyword [=] arguments`, so a keyword with no value can never reach into the next line (the
// `ssh-config` package's tokeniser let `IdentityFile` alone swallow the next `Host`). Problems
// are reported at their line and the rest still applies, except that a block with a keyword
// missing its value is not used at all: its other options were meant for a host it no longer
// describes. Include is read in place, with caps on depth and on total work (docs/architecture.md, "SSH").
import * as path from 'node:path';
import { anchorPath, expandEnvironment, expandGlob, expandTilde, parsePort } from './configTokens';
import type { ConfigHost, ConfigLocation, ConfigProblem, MatchCriterion, ParsedFile, Statement } from './configTypes';
import { readRegularTextFile, UnreadableFileError } from './textFile';
import type { StrictHostKeyChecking } from './types';

export interface ParseContext {
  homeDir: string;
  env: NodeJS.ProcessEnv;
  problems: ConfigProblem[];
  /** Shared by every file of one load: Include fan-out stops when it runs out. */
  budget: { files: number; bytes: number; exhausted: boolean };
}

// OpenSSH's ReadConfigFile depth limit; it also stops an Include that includes itself.
export const MAX_INCLUDE_DEPTH = 16;
// Total work of one load: a file that includes itself twice would otherwise be read 2^16 times.
export const MAX_CONFIG_FILES = 1024;
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** One config file; real ones are a few KiB. */
export const MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024;

const PATH_TOKENS = new Set(['%', 'C', 'd', 'h', 'i', 'j', 'k', 'L', 'l', 'n', 'p', 'r', 'u']);
const HOSTNAME_TOKENS = new Set(['%', 'h']);
const MATCH_CRITERIA = new Set([
  'all',
  'canonical',
  'final',
  'exec',
  'localnetwork',
  'host',
  'originalhost',
  'tagged',
  'user',
  'localuser',
  'version',
  'sessiontype',
  'command',
]);
const YES_NO = new Set(['yes', 'no', 'true', 'false']);
export const STRICT_VALUES: Record<string, StrictHostKeyChecking> = {
  yes: 'yes',
  true: 'yes',
  no: 'no',
  false: 'no',
  off: 'no',
  ask: 'ask',
  'accept-new': 'accept-new',
};

export function newParseContext(homeDir: string, env: NodeJS.ProcessEnv): ParseContext {
  return { homeDir, env, problems: [], budget: { files: MAX_CONFIG_FILES, bytes: MAX_CONFIG_BYTES, exhausted: false } };
}

/**
 * Reads one file. `includedAt` is the Include line that named it (a missing top-level file is
 * normal, a missing included one is reported); `system` anchors relative Includes at /etc/ssh.
 */
export function readConfigFile(
  file: string,
  context: ParseContext,
  options: { depth: number; includedAt?: ConfigLocation; system?: boolean; optional?: boolean },
): ParsedFile {
  let text: string;
  try {
    text = readRegularTextFile(file, MAX_CONFIG_FILE_BYTES);
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    if (error.code !== 'ENOENT' || !options.optional)
      context.problems.push({ ...(options.includedAt ?? { file }), message: error.message });
    return { path: file, statements: [] };
  }
  context.budget.bytes -= text.length;
  const statements: Statement[] = [];
  // Where the current block's statements start, and whether a broken line disabled it.
  let blockStart = 0;
  let blockBroken = false;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const at = { file, line: index + 1 };
    const tokens = tokenizeLine(lines[index]);
    if (!tokens) continue;
    if ('error' in tokens) {
      context.problems.push({ ...at, message: tokens.error });
      if (/^[ \t]*(host|match)\b/i.test(lines[index])) {
        // A broken Host or Match line still ends the block before it, as a block matching
        // nothing, so the options under it do not leak into that block.
        statements.push({ kind: 'host', patterns: [], at });
        blockStart = statements.length - 1;
        blockBroken = true;
      } else if (tokens.breaksBlock) {
        breakBlock();
      }
      continue;
    }
    const keyword = tokens.keyword.toLowerCase();
    if (keyword === 'host' || keyword === 'match') {
      blockStart = statements.length;
      blockBroken = false;
    } else if (blockBroken && keyword === 'include') {
      continue;
    }
    const statement = toStatement(tokens.keyword, tokens.args, at, context, options);
    // In a broken block each line is still checked (its problems reported) but not used.
    if (statement && !blockBroken) statements.push(statement);
  }
  return { path: file, statements };

  /** A keyword without its value: the block it is in is not used (a Host line then matches nothing). */
  function breakBlock(): void {
    const header = statements[blockStart];
    const hasHeader = header !== undefined && (header.kind === 'host' || header.kind === 'match');
    statements.splice(hasHeader ? blockStart + 1 : blockStart);
    if (hasHeader) statements[blockStart] = { kind: 'host', patterns: [], at: header.at };
    blockBroken = true;
  }
}

type LineTokens = { keyword: string; args: string[] } | { error: string; breaksBlock: boolean } | undefined;

/** One line as readconf.c splits it: keyword, optional `=`, then arguments with quotes and `#` comments. */
export function tokenizeLine(line: string): LineTokens {
  const text = line.replace(/\r$/, '');
  const keywordMatch = /^[ \t]*([^ \t=]*)[ \t]*(=?)[ \t]*/.exec(text)!;
  const keyword = keywordMatch[1];
  if (keyword === '' && keywordMatch[2] === '') return undefined; // blank
  if (keyword.startsWith('#')) return undefined;
  const shown = text.trim();
  if (keyword === '') return { error: `"${shown}": no keyword before "="; the block it is in is not used`, breaksBlock: true };
  const args = splitArguments(text.slice(keywordMatch[0].length));
  if (args === undefined) return { error: `${shown}: unbalanced quotes`, breaksBlock: false };
  if (args.length === 0) return { error: `${keyword}: needs a value; the block it is in is not used`, breaksBlock: true };
  return { keyword, args };
}

/** OpenSSH's argv_split: whitespace-separated, "double" or 'single' quotes, backslash escapes, # comment. */
function splitArguments(text: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length || text[i] === '#') break;
    let arg = '';
    let quote: string | undefined;
    for (; i < text.length; i++) {
      const char = text[i];
      if (
        char === '\\' &&
        i + 1 < text.length &&
        (text[i + 1] === '\\' || text[i + 1] === '"' || text[i + 1] === "'" || text[i + 1] === ' ')
      ) {
        arg += text[++i];
      } else if (quote) {
        if (char === quote) quote = undefined;
        else arg += char;
      } else if (char === '"' || char === "'") {
        quote = char;
      } else if (char === ' ' || char === '\t') {
        break;
      } else {
        arg += char;
      }
    }
    if (quote) return undefined;
    args.push(arg);
  }
  return args;
}

function toStatement(
  param: string,
  args: string[],
  at: ConfigLocation,
  context: ParseContext,
  options: { depth: number; system?: boolean },
): Statement | undefined {
  const keyword = param.toLowerCase();
  // A rejected Host or Match line still ends the block before it, as a block matching nothing,
  // so the options under it do not leak into that block.
  const neverMatches: Statement = { kind: 'host', patterns: [], at };
  const problem = (message: string): Statement | undefined => {
    context.problems.push({ ...at, message: `${param}: ${message}` });
    return keyword === 'host' || keyword === 'match' ? neverMatches : undefined;
  };
  switch (keyword) {
    case 'host':
      return { kind: 'host', patterns: args, at };
    case 'match':
      return parseMatch(param, args, at, context) ?? neverMatches;
    case 'include':
      return readInclude(args, at, context, options, problem);
  }
  const error = validateOption(keyword, args, context.env);
  if (error) return problem(error);
  return { kind: 'option', keyword, args, at };
}

function readInclude(
  args: string[],
  at: ConfigLocation,
  context: ParseContext,
  options: { depth: number; system?: boolean },
  problem: (message: string) => Statement | undefined,
): Statement | undefined {
  const { budget } = context;
  if (budget.exhausted) return undefined; // reported once, where it ran out
  if (options.depth >= MAX_INCLUDE_DEPTH) {
    budget.exhausted = true;
    return problem(
      `too many recursive configuration includes (more than ${MAX_INCLUDE_DEPTH} deep; does a file include itself?). No further Include is read.`,
    );
  }
  const files: ParsedFile[] = [];
  for (const arg of args) {
    const expanded = expandEnvironment(arg, context.env);
    if (expanded.unknown.length) return problem(`environment variable ${expanded.unknown[0]} is not set`);
    const base = options.system ? path.dirname(at.file) : undefined;
    const pattern = anchorPath(expandTilde(expanded.value, context.homeDir), context.homeDir, base);
    for (const file of expandGlob(pattern)) {
      if (budget.files <= 0 || budget.bytes <= 0) {
        budget.exhausted = true;
        problem(
          `too many configuration files included (more than ${MAX_CONFIG_FILES} reads or ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB in all; does a file include itself?). No further Include is read.`,
        );
        return { kind: 'include', files, at };
      }
      budget.files--;
      files.push(readConfigFile(file, context, { depth: options.depth + 1, includedAt: at, system: options.system }));
      if (budget.exhausted) return { kind: 'include', files, at };
    }
  }
  return { kind: 'include', files, at };
}

function parseMatch(param: string, args: string[], at: ConfigLocation, context: ParseContext): Statement | undefined {
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
    case 'hashknownhosts':
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

export interface JumpHopSpec {
  user?: string;
  host: string;
  port?: number;
}

export function parseJumpSpec(text: string): { hops: JumpHopSpec[]; error?: string } {
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
    // A hop ends up on ssh's command line (ssh -J builds one): nothing that reads as an option.
    if (
      !host ||
      user === '' ||
      /\s/.test(host) ||
      host.startsWith('-') ||
      user?.startsWith('-') ||
      (portText !== undefined && port === undefined)
    ) {
      return { hops: [], error: `"${raw.trim()}" is not [user@]host[:port]` };
    }
    hops.push({ host, ...(user ? { user } : {}), ...(port ? { port } : {}) });
  }
  return { hops };
}

/** Concrete Host names of the files in order (Includes in place), first declaration wins. */
export function listConcreteHosts(roots: ParsedFile[]): ConfigHost[] {
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
  roots.forEach(walk);
  return hosts;
}
