// The debugger in VS Code: the `firefighter` debug type, its launch.json provider and the
// process commands. Everything that talks to a host loads on first use from dist/debug.js, so
// activation stays cheap (docs/architecture.md, "Debugging").
import * as vscode from 'vscode';
import type { ProductionGuard } from '../core/guard/productionGuard';
import type { InventoryHost } from '../core/hosts/inventory';
import { combinedDisposable } from '../core/util/lifecycle';
import { CommandId, registerCommand } from '../views/commands';
import { confirmOnHost } from '../views/guard';
import { loadDebugFeatures } from './bundle';
import type * as DebugBundle from './features';
import type { AttachArguments } from './session';

/** What the debugger needs from the extension's services. */
export interface DebugServices extends DebugBundle.BackendServices {
  pickHost(title: string): Promise<InventoryHost | undefined>;
  /** The production guard every state-changing action asks (src/core/guard). */
  guard: ProductionGuard;
}

/** The Hosts view's process row (src/core/hosts/tree.ts). */
interface ProcessNode {
  kind: 'process';
  host: string;
  process: { pid: number; command: string };
}

export function registerDebugFeatures(services: DebugServices, extensionUri: vscode.Uri): vscode.Disposable {
  let backend: DebugBundle.DebugBackend | undefined;
  const load = () => (backend ??= loadDebugFeatures().createDebugBackend(services));

  const target = async (node: ProcessNode | undefined, what: string): Promise<{ host: InventoryHost; pid: number } | undefined> => {
    const host = node?.kind === 'process' ? services.inventory.host(node.host) : await services.pickHost(`${what}: choose a host`);
    if (!host) return undefined;
    const pid = node?.kind === 'process' ? node.process.pid : await load().pickProcess(host.name, `${what} on ${host.name}`);
    return pid === undefined ? undefined : { host, pid };
  };

  const start = (host: InventoryHost, pid: number, mode: 'snapshot' | 'gdb' | 'node') =>
    vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], {
      type: 'firefighter',
      request: 'attach',
      name: `${{ snapshot: 'Snapshot', gdb: 'gdb', node: 'Node' }[mode]} · ${pid} on ${host.name}`,
      host: host.name,
      pid,
      mode,
    });

  const disposables: vscode.Disposable[] = [
    vscode.debug.registerDebugAdapterDescriptorFactory('firefighter', {
      createDebugAdapterDescriptor: (session) => new vscode.DebugAdapterInlineImplementation(load().createSession(session)),
    }),
    vscode.debug.registerDebugConfigurationProvider('firefighter', {
      provideDebugConfigurations: () => [
        {
          type: 'firefighter',
          request: 'attach',
          name: 'Snapshot a process on a host',
          host: '',
          pid: '${command:firefighter.pickProcess}',
        },
      ],
      // F5 with no launch.json, or with only a host named: ask for what is missing.
      resolveDebugConfiguration: async (_folder, config) => {
        if (!config.type && !config.request)
          Object.assign(config, { type: 'firefighter', request: 'attach', name: 'Snapshot a process on a host' });
        if (!config.host) {
          const host = await services.pickHost('Debug a process: choose a host');
          if (!host) return undefined;
          config.host = host.name;
        }
        return config;
      },
      // After ${command:…} variables are substituted: the production guard for an interactive attach.
      resolveDebugConfigurationWithSubstitutedVariables: async (_folder, config) => {
        const args = config as vscode.DebugConfiguration & Partial<AttachArguments>;
        if (args.pid === undefined || String(args.pid) === '') return undefined;
        if (args.mode !== 'gdb') return config;
        const host = services.inventory.host(String(args.host));
        return (await confirmInteractiveAttach(services, host, Number(args.pid))) ? config : undefined;
      },
    }),
    registerCommand(CommandId.pickProcess, async () => {
      const host = await services.pickHost('Pick a process: choose a host');
      const pid = host ? await load().pickProcess(host.name, `Pick a process on ${host.name}`) : undefined;
      return pid === undefined ? undefined : String(pid);
    }),
    registerCommand(CommandId.snapshotProcess, async (node?: ProcessNode) => {
      const chosen = await target(node, 'Snapshot process stacks');
      if (chosen) await start(chosen.host, chosen.pid, 'snapshot');
    }),
    registerCommand(CommandId.attachProcess, async (node?: ProcessNode) => {
      const chosen = await target(node, 'Attach debugger');
      // A Node process gets VS Code's JavaScript debugger through its inspector, not gdb.
      if (chosen) await start(chosen.host, chosen.pid, (await load().runtimeOf(chosen.host.name, chosen.pid)) === 'node' ? 'node' : 'gdb');
    }),
    registerCommand(CommandId.sampleProcess, async (node?: ProcessNode) => {
      const chosen = await target(node, 'Sample process');
      if (chosen) await load().sample(chosen.host.name, chosen.pid, extensionUri);
    }),
    { dispose: () => backend?.dispose() },
  ];
  return combinedDisposable(...disposables);
}

/**
 * An interactive attach stops the process while the user looks: on a production host the shared
 * production guard says so and asks (the answer goes on the incident timeline).
 */
async function confirmInteractiveAttach(services: DebugServices, host: InventoryHost | undefined, pid: number): Promise<boolean> {
  if (!host) return true;
  const snapshot = 'Take a Snapshot Instead';
  const answer = await confirmOnHost(services.guard, {
    host,
    action: `attach gdb to ${pid}`,
    detail: `Attaching gdb to ${pid} stops all its threads while you look (typically 0.2–0.5 s to attach, and for as long as it sits at a breakpoint). A snapshot reads the stacks without stopping it.`,
    allow: 'Attach and stop it',
    alternatives: [snapshot],
  });
  if (answer.answer === snapshot)
    void vscode.commands.executeCommand(CommandId.snapshotProcess, { kind: 'process', host: host.name, process: { pid, command: '' } });
  return answer.allowed;
}
