// Every command run on a host, published as it starts and as it ends (`command.started` /
// `command.ended`, paired by id: docs/architecture.md, "Events"). The pool and the OpenSSH
// terminal transport both record through this, so a long-running command is on the timeline
// from the moment it starts.
import { randomUUID } from 'node:crypto';
import type { EventPublisher } from '../events/bus';
import type { Clock } from '../util/clock';

/** One command run on a host, as it ended. */
export interface CommandRecord {
  host: string;
  command: string;
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  /** null when the command was killed by a signal, timed out or lost its connection. */
  exitCode: number | null;
  signal?: string;
  /** Why there is no exit code, when it is not a signal. */
  error?: string;
}

export interface CommandOutcomeInput {
  exitCode: number | null;
  signal?: string | null;
  error?: Error;
}

/** Ends the command's record; later calls do nothing. */
export type EndCommand = (outcome: CommandOutcomeInput) => CommandRecord | undefined;

export class CommandLog {
  constructor(
    private readonly events: EventPublisher,
    private readonly clock: Clock,
    /** The feature that ran it: "pool" or "openssh". */
    private readonly source: string,
  ) {}

  /** Publishes `command.started` now; the returned function publishes `command.ended`. */
  start(host: string, command: string): EndCommand {
    const id = randomUUID();
    const startedAt = this.clock.now();
    this.events.publish('command.started', this.source, { host, id, command });
    let ended = false;
    return ({ exitCode, signal, error }) => {
      if (ended) return undefined;
      ended = true;
      const record: CommandRecord = {
        host,
        command,
        startedAt,
        durationMs: this.clock.now() - startedAt,
        exitCode,
        ...(signal ? { signal } : {}),
        ...(error ? { error: error.message } : {}),
      };
      this.events.publish('command.ended', this.source, {
        host,
        id,
        command,
        durationMs: record.durationMs,
        exitCode,
        ...(record.signal ? { signal: record.signal } : {}),
        ...(record.error ? { error: record.error } : {}),
      });
      return record;
    };
  }
}
