// Authentication in OpenSSH's order: agent keys, then identity files in order, then
// keyboard-interactive and password through the prompts. An encrypted key asks for its passphrase
// once; the answer is kept in memory for the session and offered to `rememberSecret` so the
// VS Code side can keep it in SecretStorage when the user ticks "remember".
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  BaseAgent,
  OpenSSHAgent,
  utils,
  type AnyAuthMethod,
  type AuthHandlerMiddleware,
  type AuthenticationType,
  type IdentityCallback,
  type ParsedKey,
  type SignCallback,
  type SigningRequestOptions,
} from 'ssh2';
import { SshError, describeHost } from './errors';
import { sha256Fingerprint } from './knownHosts';
import type { AuthPrompts, ResolvedHost } from './types';

/** How many times a wrong passphrase is asked again, as ssh does. */
const PASSPHRASE_ATTEMPTS = 3;

export interface SecretHooks {
  /** A passphrase saved earlier (SecretStorage), tried before asking. */
  recallSecret?(keyFile: string): Promise<string | undefined>;
  /** A passphrase the user typed has opened `keyFile`; store it if the user asked to remember it. */
  rememberSecret?(keyFile: string, passphrase: string): void | Promise<void>;
}

export interface AuthSettings extends SecretHooks {
  /** Absent for non-interactive callers (the CLI): nothing is asked. */
  prompts?: AuthPrompts;
  /** The ssh-agent socket; SSH_AUTH_SOCK when undefined, no agent when empty. */
  agentSocket?: string;
}

/** Secrets typed during this session, in memory only, so a reconnect does not ask again. */
export class CredentialCache {
  private readonly passphrases = new Map<string, string>();
  private readonly passwords = new Map<string, string>();

  passphrase(keyFile: string): string | undefined {
    return this.passphrases.get(keyFile);
  }

  setPassphrase(keyFile: string, passphrase: string): void {
    this.passphrases.set(keyFile, passphrase);
  }

  password(account: string): string | undefined {
    return this.passwords.get(account);
  }

  setPassword(account: string, password: string): void {
    this.passwords.set(account, password);
  }

  forgetPassword(account: string): void {
    this.passwords.delete(account);
  }

  clear(): void {
    this.passphrases.clear();
    this.passwords.clear();
  }
}

/** Stops the connect timeout while the user is typing. */
export interface PromptClock {
  /** Runs `question` with the clock stopped. */
  whilePrompting<T>(question: () => Promise<T>): Promise<T>;
}

type Step =
  | { kind: 'none' }
  | { kind: 'agent'; socket: string }
  | { kind: 'identity'; file: string }
  | { kind: 'keyboard-interactive' }
  | { kind: 'password' };

/** One login attempt on one host: hands ssh2 the next method and remembers what was tried. */
export class AuthAttempt {
  readonly handler: AuthHandlerMiddleware;
  private readonly tried: string[] = [];
  private readonly notes: string[] = [];
  private readonly steps: Step[];
  private readonly agentKeys: Buffer[] = [];
  private serverMethods: AuthenticationType[] | null = null;
  private cancelled = false;
  private typedPassword: string | undefined;

  constructor(
    private readonly host: ResolvedHost,
    private readonly settings: AuthSettings,
    private readonly cache: CredentialCache,
    private readonly clock: PromptClock,
  ) {
    const socket = settings.agentSocket ?? process.env.SSH_AUTH_SOCK ?? '';
    this.steps = [
      // As ssh does: ask with "none" first, so the server says which methods it accepts.
      { kind: 'none' },
      ...(socket ? [{ kind: 'agent', socket } as const] : []),
      ...host.identityFiles.map((file) => ({ kind: 'identity', file }) as const),
      ...(settings.prompts ? [{ kind: 'keyboard-interactive' } as const, { kind: 'password' } as const] : []),
    ];
    this.handler = (methodsLeft, _partialSuccess, next) => {
      // ssh2 passes null before the server has said which methods it accepts.
      if (methodsLeft) this.serverMethods = methodsLeft;
      // ssh2 takes `false` for "no more methods"; its typings leave that out.
      const done = false as unknown as AnyAuthMethod;
      this.nextMethod().then(
        (method) => next(method || done),
        (error: unknown) => {
          this.notes.push(String(error));
          next(done);
        },
      );
    };
  }

  /** ssh2 reports agent trouble as a client 'error' and carries on; it belongs in the failure message. */
  noteAgentError(error: Error): void {
    this.notes.push(`agent: ${error.message}`);
  }

  /** The login succeeded: keep the password typed for it. */
  succeeded(): void {
    if (this.typedPassword !== undefined) this.cache.setPassword(this.account, this.typedPassword);
  }

  /** The error for a login that no method passed. */
  failure(): SshError {
    const where = describeHost(this.host);
    if (this.cancelled) return new SshError('auth', this.host.alias, `${where}: login cancelled.`);
    this.cache.forgetPassword(this.account);
    const accepted = this.serverMethods?.length ? ` (the host accepts: ${this.serverMethods.join(', ')})` : '';
    const tried = this.tried.length ? this.tried.join('; ') : 'nothing (no agent keys, no identity files, no one to ask for a password)';
    // ssh2 has no Kerberos: where the config offers it, the system ssh may still get in.
    const gssapi = this.host.gssapiAuthentication
      ? [`${this.host.gssapiAuthentication} is set, which only the system ssh can use (firefighter.terminalTransport "openssh")`]
      : [];
    const allNotes = [...this.notes, ...gssapi];
    const notes = allNotes.length ? ` Notes: ${allNotes.join('; ')}.` : '';
    const triedKeys = this.tried.some((what) => what.startsWith('agent key') || this.host.identityFiles.includes(what));
    const advice = triedKeys
      ? `Add one of these public keys to ~${this.host.user}/.ssh/authorized_keys on the host, or set IdentityFile for ${this.host.alias} in your ssh config.`
      : `Load a key into ssh-agent or set IdentityFile for ${this.host.alias} in your ssh config${this.tried.includes('password') ? ', or check the user and password' : ''}.`;
    return new SshError(
      'auth',
      this.host.alias,
      `${where}: Permission denied for ${this.host.user}${accepted}. Tried: ${tried}.${notes} ${advice}`,
    );
  }

  private get account(): string {
    return `${this.host.user}@${this.host.hostName}:${this.host.port}`;
  }

  private accepts(method: AuthenticationType): boolean {
    return this.serverMethods === null || this.serverMethods.includes(method);
  }

  private async nextMethod(): Promise<AnyAuthMethod | false> {
    const username = this.host.user;
    for (let step = this.steps.shift(); step && !this.cancelled; step = this.steps.shift()) {
      switch (step.kind) {
        case 'none':
          return { type: 'none', username };
        case 'agent':
          if (!this.accepts('publickey')) continue;
          if (!existsSync(step.socket)) {
            this.notes.push(`agent socket ${step.socket} does not exist`);
            continue;
          }
          return { type: 'agent', username, agent: await this.agentFor(step.socket) };
        case 'identity': {
          if (!this.accepts('publickey')) continue;
          const key = await this.loadIdentity(step.file);
          if (!key) continue;
          return { type: 'publickey', username, key };
        }
        case 'keyboard-interactive':
          if (!this.accepts('keyboard-interactive')) continue;
          this.tried.push('keyboard-interactive');
          return {
            type: 'keyboard-interactive',
            username,
            prompt: (name, instructions, _lang, prompts, finish) => {
              if (prompts.length === 0) return finish([]);
              void this.clock
                .whilePrompting(() =>
                  this.settings.prompts!.keyboardInteractive(
                    this.host.alias,
                    [name, instructions].filter(Boolean).join('\n'),
                    prompts.map(({ prompt, echo }) => ({ prompt, echo: echo ?? false })),
                  ),
                )
                .then((answers) => {
                  if (answers === undefined) this.cancelled = true;
                  finish(answers ?? []);
                });
            },
          };
        case 'password': {
          if (!this.accepts('password')) continue;
          const password =
            this.cache.password(this.account) ??
            (await this.clock.whilePrompting(() => this.settings.prompts!.password(this.host.alias, username)));
          if (password === undefined) {
            this.cancelled = true;
            continue;
          }
          this.typedPassword = password;
          this.tried.push('password');
          return { type: 'password', username, password };
        }
      }
    }
    return false;
  }

  /** The agent's keys, less those IdentitiesOnly rules out; each offered key is recorded. */
  private async agentFor(socket: string): Promise<BaseAgent<ParsedKey>> {
    const allowed = this.host.identitiesOnly ? await this.identityPublicKeys() : undefined;
    return new OfferingAgent(new OpenSSHAgent(socket), (keys) => {
      const offered = keys.filter((key) => !allowed || allowed.some((blob) => blob.equals(key.getPublicSSH())));
      for (const key of offered) {
        this.agentKeys.push(key.getPublicSSH());
        this.tried.push(`agent key ${key.comment || key.type} (${sha256Fingerprint(key.getPublicSSH())})`);
      }
      if (offered.length === 0) this.notes.push(`the agent at ${socket} holds no key this host may use`);
      return offered;
    });
  }

  /** Public blobs of the configured identity files (from the .pub beside them, or the key itself). */
  private async identityPublicKeys(): Promise<Buffer[]> {
    const blobs: Buffer[] = [];
    for (const file of this.host.identityFiles) {
      for (const candidate of [`${file}.pub`, file]) {
        const parsed = await readFile(candidate).then(
          (data) => utils.parseKey(data),
          () => undefined,
        );
        if (parsed && !(parsed instanceof Error)) {
          blobs.push(parsed.getPublicSSH());
          break;
        }
      }
    }
    return blobs;
  }

  /** Reads and, if needed, decrypts one identity file; undefined skips it (with a note why). */
  private async loadIdentity(file: string): Promise<ParsedKey | undefined> {
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      this.notes.push(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      return undefined;
    }
    let parsed: ParsedKey | Error | undefined = utils.parseKey(data);
    if (parsed instanceof Error && /no passphrase given/i.test(parsed.message)) parsed = await this.decrypt(file, data);
    if (parsed === undefined) return undefined;
    if (parsed instanceof Error) {
      this.notes.push(`cannot use ${file}: ${parsed.message}`);
      return undefined;
    }
    if (this.agentKeys.some((blob) => blob.equals(parsed.getPublicSSH()))) return undefined; // the agent already offered it
    this.tried.push(file);
    return parsed;
  }

  private async decrypt(file: string, data: Buffer): Promise<ParsedKey | Error | undefined> {
    for (const known of [this.cache.passphrase(file), await this.settings.recallSecret?.(file)]) {
      if (known === undefined) continue;
      const parsed = utils.parseKey(data, known);
      if (!(parsed instanceof Error)) {
        this.cache.setPassphrase(file, known);
        return parsed;
      }
    }
    const prompts = this.settings.prompts;
    if (!prompts) {
      this.notes.push(`${file} is encrypted and there is no one to ask for its passphrase (load it into ssh-agent)`);
      return undefined;
    }
    for (let attempt = 0; attempt < PASSPHRASE_ATTEMPTS; attempt++) {
      const passphrase = await this.clock.whilePrompting(() => prompts.passphrase(this.host.alias, file));
      if (passphrase === undefined) {
        this.notes.push(`passphrase for ${file} not given`);
        return undefined;
      }
      const parsed = utils.parseKey(data, passphrase);
      if (!(parsed instanceof Error)) {
        this.cache.setPassphrase(file, passphrase);
        // Not awaited: offering to remember may wait on the user, and the login must not.
        void Promise.resolve(this.settings.rememberSecret?.(file, passphrase)).catch(() => undefined);
        return parsed;
      }
    }
    this.notes.push(`wrong passphrase for ${file}`);
    return undefined;
  }
}

/** Passes the agent's keys through `choose` (filtering and recording them); signing goes to the agent. */
class OfferingAgent extends BaseAgent<ParsedKey> {
  constructor(
    private readonly agent: OpenSSHAgent,
    private readonly choose: (keys: ParsedKey[]) => ParsedKey[],
  ) {
    super();
  }

  getIdentities(callback: IdentityCallback<ParsedKey>): void {
    this.agent.getIdentities((error, keys) => {
      if (error || !keys) return callback(error ?? new Error('the agent listed no identities'));
      callback(null, this.choose(keys.filter((key): key is ParsedKey => 'getPublicSSH' in key)));
    });
  }

  sign(publicKey: ParsedKey, data: Buffer, options: SigningRequestOptions | SignCallback, callback?: SignCallback): void {
    if (typeof options === 'function') this.agent.sign(publicKey, data, options);
    else this.agent.sign(publicKey, data, options, callback);
  }
}
