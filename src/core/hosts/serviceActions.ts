// The host actions of the Hosts view that change state: restart the service (hosts.json
// `restartCommand`) and send a signal to a process. The production guard is the caller's.
import { noEvents, type EventPublisher } from '../events';
import type { RemoteRunner } from '../ssh/remote';
import { HostCommandError, runHostCommand, type HostCommandRun } from './hostCommand';

export const HOST_ACTIONS_SOURCE = 'hostActions';

/** The signals offered, most gentle first. */
export const SIGNALS = ['TERM', 'INT', 'HUP', 'QUIT', 'USR1', 'USR2', 'KILL'] as const;
export type SignalName = (typeof SIGNALS)[number];

const ACTION_TIMEOUT_MS = 5 * 60_000;

export async function restartService(
  runner: RemoteRunner,
  host: { name: string; restartCommand?: string },
  events: EventPublisher = noEvents,
): Promise<HostCommandRun> {
  if (!host.restartCommand)
    throw new HostCommandError(`${host.name} has no "restartCommand" in .vscode/hosts.json; add the command that restarts its service.`);
  const command = host.restartCommand;
  try {
    const run = await runHostCommand(runner, command, {
      timeoutMs: ACTION_TIMEOUT_MS,
      what: 'Restarting the service',
      next: `Read its output, check the service on ${host.name} (a shell from the Hosts view), and fix "restartCommand" if it is wrong.`,
    });
    events.publish('service.restarted', HOST_ACTIONS_SOURCE, { host: host.name, command, exitCode: run.exitCode });
    return run;
  } catch (error) {
    if (error instanceof HostCommandError && error.run)
      events.publish('service.restarted', HOST_ACTIONS_SOURCE, { host: host.name, command, exitCode: error.run.exitCode });
    throw error;
  }
}

/** `kill -s SIGNAL PID` on the host; publishes `process.signalled` whatever kill says. */
export async function signalProcess(
  runner: RemoteRunner,
  pid: number,
  signal: SignalName,
  events: EventPublisher = noEvents,
): Promise<HostCommandRun> {
  if (!Number.isInteger(pid) || pid <= 1) throw new HostCommandError(`${pid} is not a process id a signal may be sent to.`);
  if (!SIGNALS.includes(signal)) throw new HostCommandError(`${String(signal)} is not one of ${SIGNALS.join(', ')}.`);
  const publish = (exitCode: number | null) =>
    events.publish('process.signalled', HOST_ACTIONS_SOURCE, { host: runner.host, pid, signal: `SIG${signal}`, exitCode });
  try {
    const run = await runHostCommand(runner, `kill -s ${signal} ${pid}`, {
      timeoutMs: ACTION_TIMEOUT_MS,
      what: `Sending SIG${signal} to ${pid}`,
      next: `The process may have exited already, or belong to another user than the one Firefighter logs in as; refresh the Hosts view.`,
    });
    publish(run.exitCode);
    return run;
  } catch (error) {
    if (error instanceof HostCommandError && error.run) publish(error.run.exitCode);
    throw error;
  }
}
