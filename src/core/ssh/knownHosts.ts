// known_hosts with OpenSSH's semantics (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): hashed names,
// `[host]:port` for ports other than 22, comma lists, wildcard and negated patterns, `@revoked`.
// The decision helper applies StrictHostKeyChecking the way ssh does, except that a changed key
// is refused whatever the setting (docs/architecture.md, "SSH": changed → refuse, loudly).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { wildcardMatch } from './configTokens';
import type { StrictHostKeyChecking } from './types';

export interface HostKey {
  hostName: string;
  port: number;
  /** As offered; the type inside the key blob is used when they differ (rsa-sha2-* vs ssh-rsa). */
  keyType: string;
  /** The public key blob (what ssh2's hostVerifier receives). */
  key: Buffer;
}

export type HostKeyStatus = 'known' | 'unknown' | 'changed' | 'revoked';

export interface HostKeyCheck {
  status: HostKeyStatus;
  /** The line that decided: the matching entry (known), the differing key (changed), the @revoked line. */
  file?: string;
  line?: number;
  /** Lines that matched the host but were not used, such as @cert-authority entries. */
  notes: string[];
}

export type HostKeyDecision =
  | { action: 'accept'; /** append the key to `appendTo` (accept-new, or StrictHostKeyChecking no) */ record: boolean }
  | { action: 'ask'; message: string }
  | { action: 'refuse-unknown'; message: string }
  | { action: 'refuse-changed'; message: string }
  | { action: 'refuse-revoked'; message: string };

/** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints it. */
export function sha256Fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The name known_hosts stores for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(hostName: string, port: number): string {
  // ssh lower-cases host names before looking them up or writing them.
  const name = hostName.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

export function checkHostKey(hostKey: HostKey, files: string[]): HostKeyCheck {
  const name = knownHostsName(hostKey.hostName, hostKey.port);
  const keyType = keyTypeOf(hostKey.key) ?? hostKey.keyType;
  const offered = hostKey.key.toString('base64');
  const notes: string[] = [];
  let known: { file: string; line: number } | undefined;
  let changed: { file: string; line: number } | undefined;

  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // ssh skips known_hosts files that do not exist
    }
    const lines = text.split('\n');
    for (const [index, raw] of lines.entries()) {
      const entry = parseLine(raw);
      if (!entry || !hostMatches(entry.hosts, name)) continue;
      const at = { file, line: index + 1 };
      if (entry.marker === '@cert-authority') {
        notes.push(`${file}:${at.line}: @cert-authority entry skipped; host certificates are not checked`);
      } else if (entry.marker === '@revoked') {
        if (entry.key === offered) return { status: 'revoked', ...at, notes };
      } else if (entry.keyType === keyType) {
        if (entry.key === offered) known ??= at;
        else changed ??= at;
      }
    }
  }
  if (known) return { status: 'known', ...known, notes };
  if (changed) return { status: 'changed', ...changed, notes };
  return { status: 'unknown', notes };
}

/**
 * Appends `name keytype base64`: the name plain (HashKnownHosts no) or, with `hashed`, as
 * `|1|salt|HMAC-SHA1(salt, name)` the way ssh writes it with HashKnownHosts yes.
 */
export function appendKnownHost(
  file: string,
  hostName: string,
  port: number,
  keyType: string,
  key: Buffer,
  options: { hashed?: boolean } = {},
): void {
  // ~/.ssh must not be readable by others, or ssh and sshd refuse to use what is in it.
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const existing = fs.readFileSync(file);
    if (existing.length > 0 && existing[existing.length - 1] !== 0x0a) prefix = '\n';
  } catch {
    // a new file: created below with 0600
  }
  const type = keyTypeOf(key) ?? keyType;
  const name = knownHostsName(hostName, port);
  fs.appendFileSync(file, `${prefix}${options.hashed ? hashedName(name) : name} ${type} ${key.toString('base64')}\n`, { mode: 0o600 });
}

/** `|1|salt|hash` with a fresh 20-byte salt (OpenSSH's hostfile.c host_hash). */
function hashedName(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/**
 * What to do with a host key, given the check, the host's StrictHostKeyChecking and whether
 * someone can be asked (the CLI cannot). `host` names the host for messages, e.g. its alias.
 */
export function decideHostKey(input: {
  host: string;
  hostKey: HostKey;
  check: HostKeyCheck;
  strictHostKeyChecking: StrictHostKeyChecking;
  canPrompt: boolean;
  /** The user's known_hosts file an accepted key is appended to. */
  appendTo: string;
}): HostKeyDecision {
  const { host, hostKey, check, strictHostKeyChecking, canPrompt, appendTo } = input;
  const keyType = keyTypeOf(hostKey.key) ?? hostKey.keyType;
  const fingerprint = sha256Fingerprint(hostKey.key);
  const who = `${host} (${knownHostsName(hostKey.hostName, hostKey.port)})`;
  switch (check.status) {
    case 'known':
      return { action: 'accept', record: false };
    case 'revoked':
      return {
        action: 'refuse-revoked',
        message:
          `Host key for ${who} is REVOKED: its ${keyType} key ${fingerprint} is marked @revoked in ` +
          `${check.file}:${check.line}. Refusing to connect. Ask whoever runs the host for its current key.`,
      };
    case 'changed':
      return {
        action: 'refuse-changed',
        message:
          `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${who}. It offered the ${keyType} key ` +
          `${fingerprint}, which differs from the key in ${check.file}:${check.line}. Someone could be ` +
          `intercepting the connection, or the host was reinstalled. Refusing to connect. If you have ` +
          `verified the new key, remove line ${check.line} of ${check.file} ` +
          `(ssh-keygen -R '${knownHostsName(hostKey.hostName, hostKey.port)}' -f ${check.file}) and connect again.`,
      };
    case 'unknown':
      if (strictHostKeyChecking === 'no' || strictHostKeyChecking === 'accept-new') return { action: 'accept', record: true };
      if (strictHostKeyChecking === 'ask' && canPrompt) {
        return {
          action: 'ask',
          message:
            `The authenticity of host ${who} can't be established. Its ${keyType} key fingerprint is ` +
            `${fingerprint}. Accepting adds it to ${appendTo}.`,
        };
      }
      return {
        action: 'refuse-unknown',
        message:
          `Host key for ${who} is not known (${keyType} ${fingerprint}) and StrictHostKeyChecking is ` +
          `${strictHostKeyChecking}${strictHostKeyChecking === 'ask' ? ' with no one to ask' : ''}. ` +
          `Check the fingerprint and add the key to ${appendTo}` +
          `${strictHostKeyChecking === 'ask' ? ', connect once from the editor, or set StrictHostKeyChecking accept-new for this host' : ''}.`,
      };
  }
}

interface KnownHostsLine {
  marker?: '@revoked' | '@cert-authority';
  hosts: string;
  keyType: string;
  key: string;
}

function parseLine(raw: string): KnownHostsLine | undefined {
  const fields = raw.trim().split(/\s+/);
  if (fields[0] === '' || fields[0].startsWith('#')) return undefined;
  const marker = fields[0] === '@revoked' || fields[0] === '@cert-authority' ? fields.shift() : undefined;
  if (fields.length < 3) return undefined; // malformed lines are skipped, as ssh does
  const [hosts, keyType, key] = fields;
  return { ...(marker ? { marker: marker as KnownHostsLine['marker'] } : {}), hosts, keyType, key };
}

/** A comma list matches when some pattern matches and no negated one does; `|1|salt|hash` is HMAC-SHA1. */
function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

function hashedMatches(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The key type named inside an SSH public key blob ("ssh-ed25519"), when the blob is well formed. */
export function keyTypeOf(key: Buffer): string | undefined {
  if (key.length < 4) return undefined;
  const length = key.readUInt32BE(0);
  return length > 0 && length < 64 && key.length >= 4 + length ? key.subarray(4, 4 + length).toString('latin1') : undefined;
}
