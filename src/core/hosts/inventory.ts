// The host inventory: every concrete host of the ssh config, plus the workspace's
// .vscode/hosts.json (docs/architecture.md, "Contracts"). A hosts.json entry named like an ssh_config host adds to it
// (tags, group, logs, revision); an entry with an `address` is a host of its own. Connection
// fields of an entry act like ssh command-line flags: they win, the ssh config fills the rest.
import { loadSshConfig, SshConfigError, sortProblems, type HostOverrides } from '../ssh/config';
import { readRegularTextFile, UnreadableFileError } from '../ssh/textFile';
import type { ResolvedHost } from '../ssh/types';
import { hostNameProblem, sshValueProblem } from './hostNames';
import { JsoncSyntaxError, parseJsonc, type JsonNode } from './jsonc';

export const PRODUCTION_TAG = 'production';

/** hosts.json lists hosts; a few MiB is thousands of them. */
const MAX_HOSTS_JSON_BYTES = 4 * 1024 * 1024;

export interface InventoryHost {
  name: string;
  tags: string[];
  group?: string;
  /** Globs of log files on the host, offered by "Tail Log…". */
  logs: string[];
  /** Prints the deployed revision on the host (e.g. `cat /srv/app/REVISION`). */
  revisionCommand?: string;
  /** The deployed revision, when it is fixed rather than read from the host. */
  revision?: string;
  /** Where the application is deployed on the host; drift compares it with the repository. */
  deployDir?: string;
  /** Deploys the hotfix on the host (gets $FIREFIGHTER_REVISION and $FIREFIGHTER_BRANCH). */
  deployCommand?: string;
  /** Exits 0 when the fix works on the host (run by "Verify Fix on Host…"). */
  verifyCommand?: string;
  /** Restarts the host's service. */
  restartCommand?: string;
  /** Tagged `production`: state-changing actions ask first. */
  production: boolean;
  origin: 'ssh_config' | 'hosts.json' | 'both';
  ssh: ResolvedHost;
}

export interface InventoryProblem {
  file: string;
  line?: number;
  message: string;
}

export interface Inventory {
  hosts: InventoryHost[];
  errors: InventoryProblem[];
}

export interface InventoryOptions {
  sshConfigFile: string;
  /** Usually `<workspace>/.vscode/hosts.json`; a missing file is an empty list. */
  hostsJsonFile?: string;
  homeDir?: string;
  env?: NodeJS.ProcessEnv;
}

interface HostsJsonEntry {
  name: string;
  line: number;
  address?: string;
  overrides: HostOverrides;
  tags: string[];
  group?: string;
  logs: string[];
  revisionCommand?: string;
  revision?: string;
  deployDir?: string;
  deployCommand?: string;
  verifyCommand?: string;
  restartCommand?: string;
}

/** The hosts.json fields that are commands run on the host for the user (copied as they are). */
const COMMAND_FIELDS = ['deployCommand', 'verifyCommand', 'restartCommand'] as const;

type FieldKind = 'string' | 'strings' | 'port';
const ENTRY_FIELDS: Record<string, FieldKind> = {
  name: 'string',
  address: 'string',
  user: 'string',
  port: 'port',
  identityFile: 'string',
  proxyJump: 'string',
  tags: 'strings',
  group: 'string',
  logs: 'strings',
  revisionCommand: 'string',
  revision: 'string',
  deployDir: 'string',
  deployCommand: 'string',
  verifyCommand: 'string',
  restartCommand: 'string',
};

export function loadInventory(options: InventoryOptions): Inventory {
  const config = loadSshConfig({ configFile: options.sshConfigFile, homeDir: options.homeDir, env: options.env });
  const errors: InventoryProblem[] = [...config.problems];
  const entries = options.hostsJsonFile ? readHostsJson(options.hostsJsonFile, errors) : [];
  const hostsJsonFile = options.hostsJsonFile ?? '';

  // A Host name that could not be passed to ssh as a destination is not offered.
  const configHosts = config.hosts.filter((host) => {
    const problem = hostNameProblem(host.name);
    if (problem)
      errors.push({ file: host.file, line: host.line, message: `Host ${JSON.stringify(host.name)} ${problem}; it is not listed` });
    return !problem;
  });
  const configNames = new Map(configHosts.map((host) => [host.name.toLowerCase(), host]));
  const entryByName = new Map<string, HostsJsonEntry>();
  for (const entry of entries) {
    const key = entry.name.toLowerCase();
    if (entryByName.has(key)) {
      errors.push({ file: hostsJsonFile, line: entry.line, message: `"${entry.name}" is listed twice; this entry is ignored` });
    } else if (!entry.address && !configNames.has(key)) {
      errors.push({
        file: hostsJsonFile,
        line: entry.line,
        message: `"${entry.name}" has no "address" and ${config.configFile} has no Host ${entry.name}; add an address or the Host block`,
      });
    } else {
      entryByName.set(key, entry);
    }
  }

  const hosts: InventoryHost[] = [];
  const add = (name: string, entry: HostsJsonEntry | undefined, origin: InventoryHost['origin']): void => {
    let ssh: ResolvedHost;
    try {
      ssh = config.resolve(name, entry?.overrides);
    } catch (error) {
      if (!(error instanceof SshConfigError)) throw error;
      const where = error.location ?? (entry ? { file: hostsJsonFile, line: entry.line } : { file: config.configFile });
      errors.push({ ...where, message: `${name}: ${error.reason}` });
      return;
    }
    const tags = entry?.tags ?? [];
    hosts.push({
      name,
      tags,
      ...(entry?.group !== undefined ? { group: entry.group } : {}),
      logs: entry?.logs ?? [],
      ...(entry?.revisionCommand !== undefined ? { revisionCommand: entry.revisionCommand } : {}),
      ...(entry?.revision !== undefined ? { revision: entry.revision } : {}),
      ...(entry?.deployDir !== undefined ? { deployDir: entry.deployDir } : {}),
      ...Object.fromEntries(COMMAND_FIELDS.filter((key) => entry?.[key] !== undefined).map((key) => [key, entry?.[key]])),
      production: tags.includes(PRODUCTION_TAG),
      origin,
      ssh,
    });
  };
  for (const host of configHosts) {
    const entry = entryByName.get(host.name.toLowerCase());
    add(host.name, entry, entry ? 'both' : 'ssh_config');
  }
  for (const entry of entryByName.values()) {
    if (!configNames.has(entry.name.toLowerCase())) add(entry.name, entry, 'hosts.json');
  }
  return { hosts, errors: sortProblems(errors) };
}

function readHostsJson(file: string, errors: InventoryProblem[]): HostsJsonEntry[] {
  let text: string;
  try {
    text = readRegularTextFile(file, MAX_HOSTS_JSON_BYTES);
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    if (error.code !== 'ENOENT') errors.push({ file, message: `${error.message}; no hosts were read from this file` });
    return [];
  }
  let root: JsonNode;
  try {
    root = parseJsonc(text);
  } catch (error) {
    if (!(error instanceof JsoncSyntaxError)) throw error;
    errors.push({ file, line: error.line, message: `${error.message}; no hosts were read from this file` });
    return [];
  }
  const hostsNode = root.kind === 'object' ? root.members.find((member) => member.key === 'hosts')?.value : undefined;
  if (!hostsNode || hostsNode.kind !== 'array') {
    errors.push({ file, line: hostsNode?.line ?? root.line, message: 'expected { "hosts": [ … ] }' });
    return [];
  }
  const entries: HostsJsonEntry[] = [];
  for (const item of hostsNode.items) {
    const entry = readEntry(item, (line, message) => errors.push({ file, line, message }));
    if (entry) entries.push(entry);
  }
  return entries;
}

/** One entry, or undefined (reported) when it cannot be used. Unknown fields are reported and ignored. */
function readEntry(node: JsonNode, report: (line: number, message: string) => void): HostsJsonEntry | undefined {
  if (node.kind !== 'object') {
    report(node.line, 'a host entry must be an object with a "name"');
    return undefined;
  }
  const values: Record<string, string | string[] | number> = {};
  const nameNode = node.members.find((member) => member.key === 'name')?.value;
  const label = nameNode?.kind === 'string' ? `"${nameNode.value}"` : 'host entry';
  let usable = true;
  for (const member of node.members) {
    const kind = ENTRY_FIELDS[member.key];
    if (!kind) {
      report(member.line, `${label}: unknown field "${member.key}" is ignored (known: ${Object.keys(ENTRY_FIELDS).join(', ')})`);
      continue;
    }
    const value = readField(member.value, kind);
    if (value === undefined) {
      report(member.value.line, `${label}: "${member.key}" must be ${describeKind(kind)}; this entry is skipped`);
      usable = false;
    } else {
      values[member.key] = value;
    }
  }
  if (!usable) return undefined;
  const name = values.name as string | undefined;
  if (!name) {
    report(node.line, 'host entry has no "name"; it is skipped');
    return undefined;
  }
  const nameProblem = hostNameProblem(name);
  if (nameProblem) {
    report(node.line, `"name" ${JSON.stringify(name)} ${nameProblem}; this entry is skipped`);
    return undefined;
  }
  const text = (key: string): string | undefined => values[key] as string | undefined;
  for (const key of ['address', 'user'] as const) {
    const problem = text(key) === undefined ? undefined : sshValueProblem(text(key)!);
    if (problem) {
      report(node.line, `${label}: "${key}" ${JSON.stringify(text(key))} ${problem}; this entry is skipped`);
      return undefined;
    }
  }
  const overrides: HostOverrides = {};
  if (text('address') !== undefined) overrides.hostName = text('address');
  if (text('user') !== undefined) overrides.user = text('user');
  if (values.port !== undefined) overrides.port = values.port as number;
  if (text('identityFile') !== undefined) overrides.identityFiles = [text('identityFile') as string];
  if (text('proxyJump') !== undefined) overrides.proxyJump = text('proxyJump');
  return {
    name,
    line: node.line,
    ...(text('address') !== undefined ? { address: text('address') } : {}),
    overrides,
    tags: (values.tags as string[] | undefined) ?? [],
    ...(text('group') !== undefined ? { group: text('group') } : {}),
    logs: (values.logs as string[] | undefined) ?? [],
    ...(text('revisionCommand') !== undefined ? { revisionCommand: text('revisionCommand') } : {}),
    ...(text('revision') !== undefined ? { revision: text('revision') } : {}),
    ...(text('deployDir') !== undefined ? { deployDir: text('deployDir') } : {}),
    ...Object.fromEntries(COMMAND_FIELDS.filter((key) => text(key) !== undefined).map((key) => [key, text(key)])),
  };
}

function readField(node: JsonNode, kind: FieldKind): string | string[] | number | undefined {
  switch (kind) {
    case 'string':
      return node.kind === 'string' && node.value.trim() !== '' ? node.value : undefined;
    case 'strings':
      return node.kind === 'array' && node.items.every((item) => item.kind === 'string')
        ? node.items.map((item) => (item as { value: string }).value)
        : undefined;
    case 'port':
      return node.kind === 'number' && Number.isInteger(node.value) && node.value >= 1 && node.value <= 65535 ? node.value : undefined;
  }
}

function describeKind(kind: FieldKind): string {
  return { string: 'a non-empty string', strings: 'a list of strings', port: 'a port number (1-65535)' }[kind];
}
