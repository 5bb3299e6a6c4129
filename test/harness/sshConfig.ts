// Writes an ssh_config and a known_hosts for harness hosts, the way a user would have them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StrictHostKeyChecking } from '../../src/core/ssh/types';

/** What a config entry needs to know about a host (an SshHost fits). */
export interface ConfigurableHost {
  name: string;
  address: string;
  port: number;
  user?: string;
  /** Omit to leave the host out of known_hosts. */
  knownHostsLine?: () => string;
}

export interface SshConfigEntry {
  host: ConfigurableHost;
  /** The Host alias; the host's name by default. */
  alias?: string;
  identityFiles?: string[];
  identitiesOnly?: boolean;
  /** ProxyJump value: aliases, comma-separated for several hops. */
  proxyJump?: string;
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** Leave the host out of the written known_hosts (to test unknown keys). */
  unknownHostKey?: boolean;
  extra?: string[];
}

export interface WrittenSshConfig {
  configFile: string;
  knownHostsFile: string;
}

export function writeSshConfig(options: {
  dir: string;
  entries: SshConfigEntry[];
  /** Lines written to known_hosts before the hosts' own (e.g. a stale key). */
  extraKnownHosts?: string[];
  fileName?: string;
}): WrittenSshConfig {
  const configFile = join(options.dir, options.fileName ?? 'ssh_config');
  const knownHostsFile = join(options.dir, `${options.fileName ?? 'ssh_config'}.known_hosts`);
  const blocks = options.entries.map((entry) =>
    [
      `Host ${entry.alias ?? entry.host.name}`,
      `  HostName ${entry.host.address}`,
      `  Port ${entry.host.port}`,
      `  User ${entry.host.user ?? 'root'}`,
      ...(entry.identityFiles ?? []).map((file) => `  IdentityFile ${file}`),
      ...(entry.identitiesOnly ? ['  IdentitiesOnly yes'] : []),
      ...(entry.proxyJump ? [`  ProxyJump ${entry.proxyJump}`] : []),
      `  UserKnownHostsFile ${knownHostsFile}`,
      '  GlobalKnownHostsFile /dev/null',
      `  StrictHostKeyChecking ${entry.strictHostKeyChecking ?? 'yes'}`,
      ...(entry.extra ?? []).map((line) => `  ${line}`),
      '',
    ].join('\n'),
  );
  writeFileSync(configFile, blocks.join('\n'));
  const knownLines = [
    ...(options.extraKnownHosts ?? []),
    ...options.entries.filter((entry) => !entry.unknownHostKey && entry.host.knownHostsLine).map((entry) => entry.host.knownHostsLine!()),
  ];
  writeFileSync(knownHostsFile, knownLines.map((line) => `${line}\n`).join(''));
  return { configFile, knownHostsFile };
}
