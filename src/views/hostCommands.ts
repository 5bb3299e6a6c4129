// Host commands: connect/disconnect, top and shell terminals, copy the ssh command. From a tree
// node they act on that host; from the palette they ask with a quick pick, connected hosts first.
import * as vscode from 'vscode';
import type { InventoryHost } from '../core/hosts/inventory';
import type { HostNode } from '../core/hosts/tree';
import { combinedDisposable } from '../core/util/lifecycle';
import { CommandId, registerCommand } from './commands';
import { loadInventoryBundle } from './inventoryBundle';
import { RemoteTerminal, type PtyFactory } from './remoteTerminal';
import type { HostsView } from './hostsView';
import type { Services } from './services';

export function registerHostCommands(services: Services, hostsView: HostsView): vscode.Disposable {
  const { inventory, pool } = services;
  const withHost =
    (action: (host: InventoryHost) => unknown) =>
    async (node?: HostNode): Promise<void> => {
      const host = node?.kind === 'host' ? inventory.host(node.id) : await pickHost(services, 'Choose a host');
      if (host) await action(host);
    };

  return combinedDisposable(
    registerCommand(
      CommandId.connect,
      withHost((host) =>
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Connecting to ${host.name}…`, cancellable: false },
          async () => {
            try {
              await pool.connect(host.name, { now: true });
              hostsView.resumeHealth(host.name);
            } catch (error) {
              void vscode.window.showErrorMessage(`${(error as Error).message}`);
            }
          },
        ),
      ),
    ),
    registerCommand(
      CommandId.disconnect,
      withHost((host) => {
        hostsView.pauseHealth(host.name);
        pool.disconnect(host.name);
      }),
    ),
    registerCommand(
      CommandId.openTop,
      withHost((host) => openTerminal(services, host, 'top', 'top')),
    ),
    registerCommand(
      CommandId.openShell,
      withHost((host) => openTerminal(services, host, 'shell', undefined)),
    ),
    registerCommand(
      CommandId.copySshCommand,
      withHost(async (host) => {
        const { shellQuote, sshCommandLine } = loadInventoryBundle();
        const command = shellQuote(sshCommandLine(host.ssh, inventory.sshConfigFile));
        await vscode.env.clipboard.writeText(command);
        void vscode.window.setStatusBarMessage(`Copied: ${command}`, 4000);
      }),
    ),
    registerCommand(CommandId.refreshHosts, () => hostsView.refresh()),
  );
}

/** Asks for a host, connected ones first. */
export async function pickHost(services: Pick<Services, 'inventory' | 'pool'>, title: string): Promise<InventoryHost | undefined> {
  const { inventory, pool } = services;
  const hosts = inventory.hosts;
  if (hosts.length === 0) {
    const open = 'Open Settings';
    const choice = await vscode.window.showWarningMessage(`No hosts found in ${inventory.sshConfigFile} or .vscode/hosts.json.`, open);
    if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'firefighter.sshConfigFile');
    return undefined;
  }
  const connected = (host: InventoryHost) => pool.state(host.name).kind === 'connected';
  const ordered = [...hosts.filter(connected), ...hosts.filter((host) => !connected(host))];
  const picked = await vscode.window.showQuickPick(
    ordered.map((host) => ({
      label: host.name,
      description: [connected(host) ? 'connected' : undefined, ...host.tags].filter(Boolean).join(' · '),
      detail: `${host.ssh.user}@${host.ssh.hostName}:${host.ssh.port}`,
      host,
    })),
    { title, placeHolder: 'Host name', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.host;
}

function openTerminal(services: Services, host: InventoryHost, what: 'top' | 'shell', command: string | undefined): void {
  const transport = services.settings.get('terminalTransport');
  const useOpenSsh = transport === 'openssh' || (transport === 'auto' && host.ssh.needsOpenSsh.length > 0);
  const configFile = services.inventory.sshConfigFile;
  const startPty: PtyFactory = useOpenSsh
    ? async (size) => services.pool.openSshTerminal(host.ssh, { configFile, command, size })
    : (size) => services.pool.runner(host.name).openPty(command, size);
  const terminal = vscode.window.createTerminal({
    name: `${what} · ${host.name}`,
    pty: new RemoteTerminal(host.name, what, startPty),
    iconPath: new vscode.ThemeIcon(what === 'top' ? 'pulse' : 'terminal'),
    color: host.production ? new vscode.ThemeColor('terminal.ansiRed') : undefined,
  });
  terminal.show();
}
