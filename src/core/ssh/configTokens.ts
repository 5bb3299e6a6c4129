// ssh_config's small languages: %-tokens and ${VAR} in values, ~ and relative paths, Host
// patterns (`*`, `?`, `!`), Include globs, port numbers, and spotting security-key identities.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The identities ssh tries when no IdentityFile is configured, in its order (OpenSSH 9).
const DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];

export function expandHostName(value: string | undefined, alias: string): string {
  return value === undefined ? alias : expandTokens(value, { h: alias, '%': '%' });
}

export function pathTokens(
  context: { homeDir: string; localUser: string },
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

export function expandTokens(text: string, tokens: Record<string, string>): string {
  return text.replace(/%(.)/g, (whole, token: string) => tokens[token] ?? whole);
}

export function expandEnvironment(text: string, env: NodeJS.ProcessEnv): { value: string; unknown: string[] } {
  const unknown: string[] = [];
  const value = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_whole, name: string) => {
    const found = env[name];
    if (found === undefined) unknown.push(name);
    return found ?? '';
  });
  return { value, unknown };
}

export function expandTilde(file: string, homeDir: string): string {
  if (file === '~') return homeDir;
  return file.startsWith('~/') ? path.join(homeDir, file.slice(2)) : file;
}

/** OpenSSH reads a relative path in a user config against ~/.ssh (an Include in the system config: /etc/ssh, `base`). */
export function anchorPath(file: string, homeDir: string, base = path.join(homeDir, '.ssh')): string {
  return path.isAbsolute(file) ? file : path.join(base, file);
}

export function defaultIdentityFiles(homeDir: string): string[] {
  return DEFAULT_IDENTITY_FILES.map((name) => path.join(homeDir, '.ssh', name)).filter((file) => fs.existsSync(file));
}

export function localUserName(env: NodeJS.ProcessEnv): string {
  return env.USER || env.LOGNAME || os.userInfo().username;
}

export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** `*` any run of characters, `?` exactly one; case-insensitive as OpenSSH matches host names. */
export function wildcardMatch(pattern: string, text: string): boolean {
  return wildcardRegExp(pattern, 'i').test(text);
}

export function wildcardRegExp(pattern: string, flags: string, classes = false): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (classes && char === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2);
      const body = pattern
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = end;
    } else source += char.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, flags);
}

/** glob(3) for Include: `*`, `?`, `[...]` per path segment, no dot files by wildcard, sorted. */
export function expandGlob(pattern: string): string[] {
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
export function securityKeyType(file: string): string | undefined {
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
