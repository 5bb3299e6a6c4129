// Shared pieces of the SSH integration tests: a pool over an ssh_config written by the harness,
// prompts that answer from a script and record what was asked, and small waiting helpers.
import { EventBus, type EventListener } from '../../../src/core/events';
import { loadSshConfig } from '../../../src/core/ssh/config';
import { SshPool, type SshPoolOptions } from '../../../src/core/ssh/pool';
import type { AuthPrompts } from '../../../src/core/ssh/types';

/** A hung connection fails its test instead of the whole run. */
export const TEST_TIMEOUT_MS = 30_000;

export type PromptLog = { kind: keyof AuthPrompts; host: string; detail: string }[];

/** Prompts that answer from `answers` and log every question. */
export function scriptedPrompts(answers: { passphrase?: string; password?: string; acceptHostKey?: boolean }): {
  prompts: AuthPrompts;
  asked: PromptLog;
} {
  const asked: PromptLog = [];
  return {
    asked,
    prompts: {
      passphrase: async (host, keyFile) => {
        asked.push({ kind: 'passphrase', host, detail: keyFile });
        return answers.passphrase;
      },
      password: async (host, user) => {
        asked.push({ kind: 'password', host, detail: user });
        return answers.password;
      },
      keyboardInteractive: async (host, instructions) => {
        asked.push({ kind: 'keyboardInteractive', host, detail: instructions });
        return undefined;
      },
      confirmUnknownHostKey: async (host, keyType, fingerprint) => {
        asked.push({ kind: 'confirmUnknownHostKey', host, detail: `${keyType} ${fingerprint}` });
        return answers.acceptHostKey ?? false;
      },
    },
  };
}

/** A pool that resolves hosts from `configFile` like `ssh -F configFile`, with no ambient agent. */
/** Each test pool's events, also passed on to the test's own publisher when it gave one. */
const poolEvents = new WeakMap<SshPool, EventBus>();

export function poolFor(configFile: string, options: Partial<SshPoolOptions> = {}): SshPool {
  const bus = new EventBus();
  const theirs = options.events;
  const pool = new SshPool({
    resolveHost: (name) => loadSshConfig({ configFile }).resolve(name),
    agentSocket: '',
    connectTimeoutMs: 5000,
    backoffInitialMs: 50,
    backoffMaxMs: 200,
    ...options,
    events: {
      publish: (name, source, payload) => {
        bus.publish(name, source, payload);
        theirs?.publish(name, source, payload);
      },
    },
  });
  poolEvents.set(pool, bus);
  return pool;
}

/** Hears every command a test pool ran on a host, as its `command.ended` event. */
export function onCommandEnded(pool: SshPool, listener: EventListener<'command.ended'>): { dispose(): void } {
  const bus = poolEvents.get(pool);
  if (!bus) throw new Error('onCommandEnded needs a pool made by poolFor');
  return bus.on('command.ended', listener);
}

export { waitFor } from '../../support/waitFor';
