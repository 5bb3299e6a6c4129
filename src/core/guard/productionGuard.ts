// The production guard (docs/architecture.md, "Production guard"): every action of the extension
// that changes state on a host (an interactive attach, a deploy, a verify that runs a command, a
// restart, a signal to a process) asks here first. On a host tagged production it asks the user;
// the answer goes on the timeline as `guard.answered` with who gave it. From a Live Share guest's
// window nothing runs on a host at all: the host's owner runs it in their own window.
import type { EventPublisher } from '../events';

export const GUARD_SOURCE = 'guard';

/** What the guard needs to know about a host. */
export interface GuardedHost {
  name: string;
  production: boolean;
}

export interface GuardRequest {
  host: GuardedHost;
  /** Short, for the timeline: "deploy hotfix/x (abc123)", "send SIGTERM to 4242". */
  action: string;
  /** The question's body: what the action does to the host and what could go wrong. */
  detail: string;
  /** The button that allows it: "Deploy", "Attach and stop it". */
  allow: string;
  /** Other answers offered beside it (e.g. "Take a Snapshot Instead"); choosing one does not allow the action. */
  alternatives?: readonly string[];
}

/** How the guard treats a request: run it, ask first, or refuse without asking. */
export type GuardDecision = { kind: 'run' } | { kind: 'ask' } | { kind: 'refuse'; reason: string };

/** The whole rule, as a pure function: a guest's window refuses, a production host asks, any other host runs. */
export function guardDecision(host: GuardedHost, where: { guest: boolean }): GuardDecision {
  if (where.guest)
    return {
      kind: 'refuse',
      reason: `This is a Live Share guest's window: nothing runs on ${host.name} from here. Ask the session's host to run it in their window, where it is recorded under their name.`,
    };
  return host.production ? { kind: 'ask' } : { kind: 'run' };
}

export interface GuardAnswer {
  allowed: boolean;
  /** The button chosen (the allow label, an alternative), or undefined when dismissed or not asked. */
  answer?: string;
  /** Set when the guard refused without asking (a guest's window). */
  refused?: string;
}

export interface ProductionGuardOptions {
  /** Shows the question (modal) with its answers; undefined when dismissed. */
  ask(question: { message: string; answers: readonly string[] }): Promise<string | undefined>;
  events: EventPublisher;
  /** Who answers: the local user name, so the timeline says who allowed it. */
  who: string;
  /** True in a Live Share guest's window. */
  guest(): boolean;
}

export class ProductionGuard {
  constructor(private readonly options: ProductionGuardOptions) {}

  /** Resolves to whether the action may run; asks on production hosts and records the answer. */
  async confirm(request: GuardRequest): Promise<GuardAnswer> {
    const decision = guardDecision(request.host, { guest: this.options.guest() });
    if (decision.kind === 'refuse') return { allowed: false, refused: decision.reason };
    if (decision.kind === 'run') return { allowed: true };
    const answer = await this.options.ask({
      message: `${request.host.name} is a production host. ${request.detail}`,
      answers: [request.allow, ...(request.alternatives ?? [])],
    });
    const allowed = answer === request.allow;
    this.options.events.publish('guard.answered', GUARD_SOURCE, {
      host: request.host.name,
      action: request.action,
      allowed,
      by: this.options.who,
      ...(answer !== undefined ? { answer } : {}),
    });
    return { allowed, ...(answer !== undefined ? { answer } : {}) };
  }
}
