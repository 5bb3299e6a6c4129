// Interactive attach with gdb/MI on a host (docs/architecture.md, "Debugging: gdb/MI and the
// watchdog"): preflight in one round trip, then gdb under the watchdog on the pooled connection.
import { noEvents, type EventPublisher } from '../../events';
import type { RemoteRunner } from '../../ssh/remote';
import { systemClock, type Clock } from '../../util/clock';
import { GdbRuntime } from './gdbRuntime';
import { preflight } from './preflight';
import { DEFAULT_MISSED_HEARTBEATS, watchdogCommand } from './watchdog';

export { GdbRuntime } from './gdbRuntime';

export interface GdbAttachOptions {
  host: string;
  pid: number;
  /** Run gdb through `sudo -n` (never a password prompt). */
  sudo?: boolean;
  events?: EventPublisher;
  clock?: Clock;
  /** How often the client tells the watchdog it is alive (default 2000 ms). */
  heartbeatMs?: number;
  /** Silence after which the watchdog detaches (default 5 heartbeats). */
  watchdogTimeoutMs?: number;
}

/**
 * Checks the host (throwing an Error whose message says what to change), starts gdb under the
 * watchdog, attaches to `pid` and lets the process run on. The returned runtime's detach() (or
 * the watchdog, if this side goes away) leaves the process running.
 */
export async function createGdbRuntime(runner: RemoteRunner, options: GdbAttachOptions): Promise<GdbRuntime> {
  const sudo = options.sudo ?? false;
  const heartbeatMs = options.heartbeatMs ?? 2000;
  await preflight(runner, options.pid, sudo);
  const proc = await runner.spawn(
    watchdogCommand({
      pid: options.pid,
      heartbeatMs,
      timeoutMs: options.watchdogTimeoutMs ?? heartbeatMs * DEFAULT_MISSED_HEARTBEATS,
      sudo,
    }),
  );
  const runtime = new GdbRuntime(proc, {
    host: options.host,
    pid: options.pid,
    events: options.events ?? noEvents,
    clock: options.clock ?? systemClock,
    heartbeatMs,
  });
  await runtime.attach();
  return runtime;
}
