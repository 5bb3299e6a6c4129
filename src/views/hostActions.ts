// Restart Service on Host and Kill Process (send a signal) from the Hosts view: each through the
// production guard, with its output shown and an error that says what to do next. The work is the
// core's (src/core/hosts/serviceActions.ts).
import * as vscode from 'vscode';
import { HostCommandError } from '../core/hosts/hostCommand';
import type { InventoryHost } from '../core/hosts/inventory';
import { restartService, SIGNALS, signalProcess, type SignalName } from '../core/hosts/serviceActions';
import type { HostNode } from '../core/hosts/tree';
import { stripControl } from '../core/util/text';
import { combinedDisposable } from '../core/util/lifecycle';
import { CommandId, registerCommand } from './commands';
import { confirmOnHost } from './guard';
import { pickHost } from './hostCommands';
import type { Services } from './services';

/** The Hosts view's process row (src/core/hosts/tree.ts). */
interface ProcessNode {
  kind: 'process';
  host: string;
  process: { pid: number; command: string };
}

const SIGNAL_TEXT: Record<SignalName, string> = {
  TERM: 'ask it to exit (the default of kill)',
  INT: 'interrupt, as Ctrl-C',
  HUP: 'hang up: many daemons reload their configuration',
  QUIT: 'quit, with a core dump where enabled',
  USR1: 'user signal 1: Node opens its inspector, some servers reopen logs',
  USR2: 'user signal 2',
  KILL: 'end it now: no clean-up, cannot be caught',
};

export function registerHostActions(services: Services): vscode.Disposable {
  const tell = (title: string, error: unknown) => {
    if (error instanceof HostCommandError && error.run) services.hostOutput.show(title, error.run);
    void vscode.window.showErrorMessage(error instanceof HostCommandError ? error.message : `${title}: ${(error as Error).message}`);
  };

  const restart = async (host: InventoryHost) => {
    if (!host.restartCommand) {
      void vscode.window.showErrorMessage(
        `${host.name} has no "restartCommand" in .vscode/hosts.json; add the command that restarts its service.`,
      );
      return;
    }
    const answer = await confirmOnHost(services.guard, {
      host,
      action: 'restart the service',
      detail: `Restarting runs its restartCommand (${host.restartCommand}): requests in flight may fail while the service comes back.`,
      allow: 'Restart',
    });
    if (!answer.allowed) return;
    try {
      const run = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Restarting the service on ${host.name}…` },
        () => restartService(services.pool.runner(host.name), host, services.events),
      );
      services.hostOutput.show('Restart', run);
      void vscode.window.showInformationMessage(`Restarted the service on ${host.name}: check its health and logs.`);
    } catch (error) {
      tell('Restart', error);
    }
  };

  const kill = async (host: InventoryHost, pid: number, command: string) => {
    const picked = await vscode.window.showQuickPick(
      SIGNALS.map((signal) => ({ label: `SIG${signal}`, description: SIGNAL_TEXT[signal], signal })),
      { title: `Send a signal to ${pid}${command ? ` (${stripControl(command).slice(0, 60)})` : ''} on ${host.name}` },
    );
    if (!picked) return;
    const answer = await confirmOnHost(services.guard, {
      host,
      action: `send SIG${picked.signal} to ${pid}`,
      detail: `SIG${picked.signal} to ${pid}${command ? ` (${stripControl(command).slice(0, 80)})` : ''}: ${SIGNAL_TEXT[picked.signal]}.`,
      allow: `Send SIG${picked.signal}`,
    });
    if (!answer.allowed) return;
    try {
      await signalProcess(services.pool.runner(host.name), pid, picked.signal, services.events);
      void vscode.window.setStatusBarMessage(`Sent SIG${picked.signal} to ${pid} on ${host.name}`, 5000);
    } catch (error) {
      tell(`SIG${picked.signal} to ${pid}`, error);
    }
  };

  return combinedDisposable(
    registerCommand(CommandId.restartService, async (node?: HostNode) => {
      const host =
        node?.kind === 'host' ? services.inventory.host(node.id) : await pickHost(services, 'Restart the service on which host?');
      if (host) await restart(host);
    }),
    registerCommand(CommandId.killProcess, async (node?: ProcessNode) => {
      if (node?.kind === 'process') {
        const host = services.inventory.host(node.host);
        if (host) await kill(host, node.process.pid, node.process.command);
        return;
      }
      const host = await pickHost(services, 'Kill a process: choose a host');
      if (!host) return;
      const pid = await vscode.window.showInputBox({
        title: `Kill a process on ${host.name}`,
        prompt: 'Its process id (the Hosts view lists the busiest ones)',
        validateInput: (text) => (/^\d+$/.test(text.trim()) && Number(text) > 1 ? undefined : 'A process id, a number above 1'),
      });
      if (pid) await kill(host, Number(pid.trim()), '');
    }),
  );
}
