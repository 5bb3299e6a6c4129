// Typed SSH failures. `kind` is what callers branch on: the CLI maps it to its exit codes (src/cli/command.ts), the
// hosts view shows the message on the host node. Messages name the host, say what happened and,
// where the user can act, what to do next.
import type { ResolvedHost } from './types';

export type SshErrorKind =
  /** Nothing answered: refused, no route, name not resolved, or a jump host could not reach it. */
  | 'unreachable'
  /** The host or a command did not answer in time. */
  | 'timeout'
  /** No offered credential was accepted, or the user cancelled a prompt. */
  | 'auth'
  | 'hostKeyChanged'
  | 'hostKeyUnknown'
  | 'hostKeyRevoked'
  /** The connection ended (dropped, closed by the host, or disposed) while in use. */
  | 'closed';

export class SshError extends Error {
  override readonly name = 'SshError';

  constructor(
    readonly kind: SshErrorKind,
    /** The alias of the host that failed (a jump host when the failure was on a hop). */
    readonly host: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get isHostKeyError(): boolean {
    return this.kind === 'hostKeyChanged' || this.kind === 'hostKeyUnknown' || this.kind === 'hostKeyRevoked';
  }
}

export function isSshError(error: unknown): error is SshError {
  // By shape, not instanceof: the extension and its lazily loaded SSH bundle each have a copy of this class.
  return error instanceof Error && error.name === 'SshError' && typeof (error as SshError).kind === 'string';
}

/** Failures worth retrying by themselves; auth and host key failures need the user. */
export function isTransient(error: SshError): boolean {
  return error.kind === 'unreachable' || error.kind === 'timeout' || error.kind === 'closed';
}

/** "web-1 (127.0.0.5:2222)": how messages name a host. */
export function describeHost(host: Pick<ResolvedHost, 'alias' | 'hostName' | 'port'>): string {
  return `${host.alias} (${host.hostName}:${host.port})`;
}

/** Seconds for messages: "15 s", "1.5 s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
