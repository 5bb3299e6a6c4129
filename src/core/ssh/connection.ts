// One SSH login to one host (directly, or over a stream a jump host opened): the connect
// timeout, the known_hosts check of the host key, authentication, and errors that name the host
// and the cause. The pool decides when to connect; this file only knows how.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { Client } from 'ssh2';
import { systemClock, type Clock, type TimerHandle } from '../util/clock';
import { AuthAttempt, type AuthSettings, type CredentialCache, type PromptClock } from './auth';
import { SshError, describeHost, formatSeconds } from './errors';
import { appendKnownHost, checkHostKey, decideHostKey, keyTypeOf, sha256Fingerprint, type HostKey } from './knownHosts';
import type { ResolvedHost } from './types';

export interface ConnectOptions {
  host: ResolvedHost;
  /** A stream to the host opened by a jump host; a TCP connection to hostName:port when absent. */
  sock?: Duplex;
  /** The jump host the stream goes through, for messages. */
  via?: string;
  auth: AuthSettings;
  credentials: CredentialCache;
  /** Time allowed to reach the host and log in, not counting time spent in prompts. */
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Aborted when the user closes the connection meanwhile: the login stops there. */
  signal?: AbortSignal;
  /** Called once the transport to the host is up (TCP connected or tunnel open), before the handshake. */
  onTransportConnected?: () => void;
  /** Times the connect timeout. */
  clock?: Clock;
}

/** A timer that stops while the user answers a prompt. */
class PromptAwareTimer implements PromptClock {
  private timer: TimerHandle | undefined;
  private remainingMs: number;
  private startedAt = 0;
  private pauses = 0;
  private stopped = false;

  constructor(
    timeoutMs: number,
    private readonly onTimeout: () => void,
    private readonly clock: Clock,
  ) {
    this.remainingMs = timeoutMs;
    this.run();
  }

  async whilePrompting<T>(question: () => Promise<T>): Promise<T> {
    this.pause();
    try {
      return await question();
    } finally {
      this.resume();
    }
  }

  private pause(): void {
    if (this.pauses++ > 0 || this.stopped) return;
    this.timer?.cancel();
    this.remainingMs -= this.clock.now() - this.startedAt;
  }

  private resume(): void {
    if (--this.pauses > 0 || this.stopped) return;
    this.run();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private run(): void {
    this.startedAt = this.clock.now();
    this.timer = this.clock.setTimeout(this.onTimeout, Math.max(0, this.remainingMs));
  }
}

/** Options that change where the connection goes or which host key is expected; ssh2 would get those wrong. */
const ROUTE_OPTIONS = /^(via \S+: )?(ProxyCommand|HostKeyAlias|KnownHostsCommand)\b/;

/** Connects and logs in; resolves with a ready client or rejects with an SshError. */
export function connectSsh(options: ConnectOptions): Promise<Client> {
  const { host } = options;
  const where = options.via ? `${describeHost(host)} via ${options.via}` : describeHost(host);
  const route = host.needsOpenSsh.filter((reason) => ROUTE_OPTIONS.test(reason));
  if (route.length > 0) {
    return Promise.reject(
      new SshError(
        'unreachable',
        host.alias,
        `${where}: its ssh config uses ${route.join(', ')}, which only the system ssh can follow. ` +
          `Terminals still work (firefighter.terminalTransport "openssh" or "auto"); health and logs need a config without it, e.g. ProxyJump.`,
      ),
    );
  }
  const client = new Client();

  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    let hostKeyError: SshError | undefined;
    const onAbort = () => fail(new SshError('closed', host.alias, `${where}: disconnected while connecting.`));
    const fail = (error: SshError) => {
      if (settled) return;
      settled = true;
      timer.stop();
      options.signal?.removeEventListener('abort', onAbort);
      client.removeAllListeners('ready');
      // A stray late error must not crash the process once we have given up.
      client.on('error', () => undefined);
      client.destroy();
      reject(error);
    };
    const timer = new PromptAwareTimer(
      options.connectTimeoutMs,
      () =>
        fail(
          new SshError(
            'timeout',
            host.alias,
            `${where}: connection timed out after ${formatSeconds(options.connectTimeoutMs)}. Check that the host is up and reachable, or raise firefighter.connectTimeout.`,
          ),
        ),
      options.clock ?? systemClock,
    );
    const auth = new AuthAttempt(host, options.auth, options.credentials, timer);

    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    if (options.onTransportConnected) client.once('connect', options.onTransportConnected);
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      timer.stop();
      options.signal?.removeEventListener('abort', onAbort);
      auth.succeeded();
      // Small channel requests must not wait on Nagle + delayed ACK (~40 ms each), as in OpenSSH.
      client.setNoDelay(true);
      resolve(client);
    });
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      if (error.level === 'agent') return auth.noteAgentError(error);
      if (settled) return;
      if (hostKeyError) return fail(hostKeyError);
      if (error.level === 'client-authentication') {
        // ssh2 reports a key it could not sign with and moves on; only the final verdict counts.
        if (/All configured authentication methods failed/.test(error.message)) fail(auth.failure());
        return;
      }
      fail(describeConnectError(host, where, error, options.connectTimeoutMs));
    });
    client.once('close', () =>
      fail(hostKeyError ?? new SshError('closed', host.alias, `${where}: the host closed the connection before login completed.`)),
    );

    client.connect({
      host: host.hostName,
      port: host.port,
      username: host.user,
      sock: options.sock,
      // Our own timer covers the whole login and stops during prompts; ssh2's would not.
      readyTimeout: 0,
      keepaliveInterval: options.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax,
      authHandler: auth.handler,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        verifyHostKey(host, key, options.auth, timer).then(
          () => verify(true),
          (error: unknown) => {
            // A prompt that failed or a known_hosts file we could not write also refuses the key.
            hostKeyError =
              error instanceof SshError
                ? error
                : new SshError('hostKeyUnknown', host.alias, `${where}: could not check the host key: ${String(error)}`, { cause: error });
            verify(false);
          },
        );
      },
    });
  });
}

/** Checks the offered key against known_hosts with the host's StrictHostKeyChecking. */
async function verifyHostKey(host: ResolvedHost, key: Buffer, auth: AuthSettings, clock: PromptClock): Promise<void> {
  const keyType = keyTypeOf(key) ?? 'unknown key type';
  const hostKey: HostKey = { hostName: host.hostName, port: host.port, keyType, key };
  // Accepted keys go to the user's known_hosts, which config resolution lists first.
  const appendTo = host.knownHostsFiles[0] ?? path.join(os.homedir(), '.ssh', 'known_hosts');
  const decision = decideHostKey({
    host: host.alias,
    hostKey,
    check: checkHostKey(hostKey, host.knownHostsFiles),
    strictHostKeyChecking: host.strictHostKeyChecking,
    canPrompt: auth.prompts !== undefined,
    appendTo,
  });
  switch (decision.action) {
    case 'accept':
      if (decision.record) appendKnownHost(appendTo, host.hostName, host.port, keyType, key, { hashed: host.hashKnownHosts });
      return;
    case 'ask': {
      const accepted = await clock.whilePrompting(() => auth.prompts!.confirmUnknownHostKey(host.alias, keyType, sha256Fingerprint(key)));
      if (!accepted)
        throw new SshError(
          'hostKeyUnknown',
          host.alias,
          `${describeHost(host)}: host key ${sha256Fingerprint(key)} not accepted; not connecting.`,
        );
      appendKnownHost(appendTo, host.hostName, host.port, keyType, key, { hashed: host.hashKnownHosts });
      return;
    }
    case 'refuse-unknown':
      throw new SshError('hostKeyUnknown', host.alias, decision.message);
    case 'refuse-changed':
      throw new SshError('hostKeyChanged', host.alias, decision.message);
    case 'refuse-revoked':
      throw new SshError('hostKeyRevoked', host.alias, decision.message);
  }
}

function describeConnectError(
  host: ResolvedHost,
  where: string,
  error: Error & { code?: string; level?: string },
  timeoutMs: number,
): SshError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new SshError('unreachable', host.alias, `${where}: connection refused. Is sshd running and listening on port ${host.port}?`, {
        cause: error,
      });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new SshError('unreachable', host.alias, `${where}: no route to host. Check the address and your network or VPN.`, {
        cause: error,
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SshError(
        'unreachable',
        host.alias,
        `${where}: cannot resolve the host name ${host.hostName}. Check HostName in your ssh config.`,
        { cause: error },
      );
    case 'ETIMEDOUT':
      return new SshError('timeout', host.alias, `${where}: connection timed out after ${formatSeconds(timeoutMs)}.`, { cause: error });
    case 'ECONNRESET':
      return new SshError('closed', host.alias, `${where}: connection reset by the host.`, { cause: error });
  }
  if (error.level === 'handshake' || error.level === 'protocol') {
    return new SshError('unreachable', host.alias, `${where}: SSH handshake failed: ${error.message}`, { cause: error });
  }
  return new SshError('closed', host.alias, `${where}: ${error.message}`, { cause: error });
}
