// Key pairs made with the real ssh-keygen, so tests use exactly what users have on disk.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface KeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  /** The .pub line: "ssh-ed25519 AAAA… comment". */
  publicKey: string;
  /** "SHA256:…" as ssh-keygen -l prints it. */
  fingerprint: string;
}

export async function generateKey(options: {
  dir: string;
  name: string;
  type?: KeyType;
  passphrase?: string;
  comment?: string;
}): Promise<KeyPair> {
  const privateKeyPath = join(options.dir, options.name);
  const type = options.type ?? 'ed25519';
  await run('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...(type === 'rsa' ? ['-b', '2048'] : []),
    '-N',
    options.passphrase ?? '',
    '-C',
    options.comment ?? options.name,
    '-f',
    privateKeyPath,
  ]);
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim();
  return { privateKeyPath, publicKeyPath: `${privateKeyPath}.pub`, publicKey, fingerprint: fingerprintOf(publicKey) };
}

/** SHA256 fingerprint of a public key line, in OpenSSH's "SHA256:base64-without-padding" form. */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
