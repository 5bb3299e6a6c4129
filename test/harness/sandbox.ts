// One ready-to-use host: an sshd with a fresh user key authorized, and an ssh_config plus
// known_hosts that reach it. The demo's sandbox "production" host and the e2e suite use this.
import { makeTempDir } from './cleanup';
import { generateKey, type KeyPair } from './keys';
import { writeSshConfig, type WrittenSshConfig } from './sshConfig';
import { startSshHost, type SshHost, type SshHostOptions } from './sshd';

export interface SandboxHost extends WrittenSshConfig {
  host: SshHost;
  userKey: KeyPair;
  stop(): Promise<void>;
}

export async function startSandboxHost(
  options: SshHostOptions & {
    /** Where the user key, ssh_config and known_hosts go; a temp dir removed at exit by default. */
    configDir?: string;
  },
): Promise<SandboxHost> {
  const configDir = options.configDir ?? makeTempDir(`sandbox-${options.name}`);
  const userKey = await generateKey({ dir: configDir, name: `id_ed25519_${options.name}` });
  const host = await startSshHost({ ...options, authorizedKeys: [...(options.authorizedKeys ?? []), userKey.publicKey] });
  const written = writeSshConfig({
    dir: configDir,
    entries: [{ host, identityFiles: [userKey.privateKeyPath], identitiesOnly: true }],
  });
  return { ...written, host, userKey, stop: () => host.stop() };
}
