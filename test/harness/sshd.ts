// Real OpenSSH sshd hosts on loopback addresses, each with fresh host keys in its own temp dir.
// Logins are as root (the harness runs as root): keys go to a per-host AuthorizedKeysFile, and
// StrictModes is off because that file lives under /tmp.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, stopProcess, trackProcess } from './cleanup';
import { fingerprintOf, generateKey, type KeyType } from './keys';

export const SSHD_PATH = '/usr/sbin/sshd';
/** Cap on the sshd log kept for failure messages. */
const LOG_LIMIT = 64 * 1024;

export interface SshHostOptions {
  /** The name tests and ssh configs know the host by. */
  name: string;
  /** Loopback address to listen on; by default the next of 127.0.0.2…127.0.0.254. */
  address?: string;
  /** By default a free port on the address. */
  port?: number;
  hostKeyType?: KeyType;
  /** Public key lines allowed to log in as root. */
  authorizedKeys?: string[];
  /** Needed by a ProxyJump bastion (direct-tcpip channels). */
  allowTcpForwarding?: boolean;
  /** Extra sshd_config lines; they come first, so they win over the harness defaults (first value counts). */
  extraConfig?: string[];
}

export interface SshHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** The host key's public line: "ssh-ed25519 AAAA…". */
  readonly hostKeyPub: string;
  /** "SHA256:…" of the host key. */
  readonly hostKeyFingerprint: string;
  /** The host's temp dir (config, keys, authorized_keys). */
  readonly dir: string;
  /** The known_hosts line OpenSSH writes for this host: "[127.0.0.5]:2222 ssh-ed25519 AAAA…". */
  knownHostsLine(): string;
  /** Allows one more public key to log in. */
  authorize(publicKey: string): void;
  /** What sshd printed (bounded), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

let nextAddressOctet = 2;

/** The next loopback address in 127.0.0.2…127.0.0.254 (Linux answers on all of 127/8). */
export function nextLoopbackAddress(): string {
  const address = `127.0.0.${nextAddressOctet}`;
  nextAddressOctet = nextAddressOctet >= 254 ? 2 : nextAddressOctet + 1;
  return address;
}

/** A port nothing listens on right now on `address`. */
export function freePort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startSshHost(options: SshHostOptions): Promise<SshHost> {
  const dir = makeTempDir(`sshd-${options.name}`);
  const address = options.address ?? nextLoopbackAddress();
  const port = options.port ?? (await freePort(address));
  const hostKey = await generateKey({ dir, name: 'host_key', type: options.hostKeyType, comment: options.name });
  const authorizedKeysFile = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeysFile, (options.authorizedKeys ?? []).map((key) => `${key}\n`).join(''), { mode: 0o600 });

  const configFile = join(dir, 'sshd_config');
  writeFileSync(
    configFile,
    [
      ...(options.extraConfig ?? []),
      `ListenAddress ${address}`,
      `Port ${port}`,
      `HostKey ${hostKey.privateKeyPath}`,
      'PidFile none',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      `AuthorizedKeysFile ${authorizedKeysFile}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AllowTcpForwarding ${options.allowTcpForwarding ? 'yes' : 'no'}`,
      // The pool multiplexes terminals, health reads and followers on one connection.
      'MaxSessions 64',
      // bash sources ~/.bashrc for ssh commands only at shell level 1; this machine's root
      // .bashrc (pyenv init) would add ~120 ms to every command and swamp what tests measure.
      'SetEnv SHLVL=1',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );

  // sshd refuses to start without its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child = trackProcess(spawn(SSHD_PATH, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let log = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    log = (log + chunk).slice(-LOG_LIMIT);
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`sshd ${options.name} did not start within 10 s:\n${log}`)), 10_000);
    const onData = () => {
      if (log.includes('Server listening on')) done();
    };
    const onExit = (code: number | null) => fail(new Error(`sshd ${options.name} exited (${code}):\n${log}`));
    function done() {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      resolve();
    }
    function fail(error: Error) {
      done();
      reject(error);
    }
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });

  const hostKeyPub = hostKey.publicKey.split(/\s+/).slice(0, 2).join(' ');
  return {
    name: options.name,
    address,
    port,
    user: 'root',
    hostKeyPub,
    hostKeyFingerprint: fingerprintOf(hostKeyPub),
    dir,
    knownHostsLine: () => `${port === 22 ? address : `[${address}]:${port}`} ${hostKeyPub}`,
    authorize: (publicKey) => appendFileSync(authorizedKeysFile, `${publicKey}\n`),
    log: () => log,
    stop: async () => {
      await stopProcess(child);
      removeTempDir(dir);
    },
  };
}

/** A jump host for ProxyJump: an sshd that allows TCP forwarding. */
export function startBastion(options: Omit<SshHostOptions, 'allowTcpForwarding'>): Promise<SshHost> {
  return startSshHost({ ...options, allowTcpForwarding: true });
}
