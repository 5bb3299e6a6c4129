// Shared shapes of the SSH core: what ssh_config resolution produces and what the connection
// layer needs from the user (prompts). Kept here so config, known_hosts and the pool agree.

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new' | 'ask';

/** One host as OpenSSH would connect to it, after ssh_config resolution. */
export interface ResolvedHost {
  /** The name the user knows the host by (the ssh_config Host alias or hosts.json name). */
  alias: string;
  /** The address to dial (HostName, or the alias when none is set). */
  hostName: string;
  port: number;
  user: string;
  /** Expanded, absolute paths, in the order OpenSSH tries them. */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** Jump hosts in dialling order (first hop first), each resolved from the same config. */
  proxyJump: ResolvedHost[];
  /** Expanded known_hosts files, the user's then the global ones. */
  knownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  /** Options ssh2 cannot honour (ProxyCommand, security keys…); non-empty means use OpenSSH. */
  needsOpenSsh: string[];
  /** "GSSAPIAuthentication yes (file:line)" when set: a login only OpenSSH offers, named when ssh2's login fails. */
  gssapiAuthentication?: string;
  /** HashKnownHosts yes: a host key accepted for this host is written hashed, as ssh would. */
  hashKnownHosts?: boolean;
  /** Where the host was declared, for error messages. */
  source?: { file: string; line: number };
}

/** Questions the connection layer asks the user. Each resolves undefined when cancelled. */
export interface AuthPrompts {
  passphrase(host: string, keyFile: string): Promise<string | undefined>;
  password(host: string, user: string): Promise<string | undefined>;
  keyboardInteractive(host: string, instructions: string, prompts: { prompt: string; echo: boolean }[]): Promise<string[] | undefined>;
  /** An unknown host key; true accepts it and appends it to the user's known_hosts. */
  confirmUnknownHostKey(host: string, keyType: string, sha256Fingerprint: string): Promise<boolean>;
}
