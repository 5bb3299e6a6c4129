// The debugger's heavy half, loaded on first use (dist/debug.js): debug sessions (their runtimes
// built by runtimeFactory.ts; a Node attach, which needs VS Code, added here), the process picker
// and sampling into a flame graph (docs/architecture.md, "Debugging").
import * as vscode from 'vscode';
import { formatBytes } from '../core/health/format';
import type { ForwardingRunner } from '../core/debug/node/inspector';
import type { PathMappingRules } from '../core/traces/pathMappingRules';
import type { EventPublisher } from '../core/events';
import type { InventoryHost } from '../core/hosts/inventory';
import { describeProcess, listProcesses, type ProcessInfo } from '../core/snapshot/processes';
import { sampleProcess } from '../core/snapshot/sample';
import { CommandId } from '../views/commandIds';
import { showFlameGraph } from '../views/profile/flameGraphPanel';
import { createNodeRuntime } from './nodeRuntime';
import { sessionDependencies } from './runtimeFactory';
import { FirefighterDebugSession } from './session';

export interface BackendServices {
  inventory: { host(name: string): InventoryHost | undefined };
  /** The pooled runner also opens TCP streams from the host (for a Node process's inspector). */
  pool: { connect(name: string): Promise<ForwardingRunner> };
  events: EventPublisher;
  /** The stack-trace links' rules: frames and breakpoints map the same way. */
  pathMappings: PathMappingRules;
}

export interface DebugBackend extends vscode.Disposable {
  /** `parent` is the VS Code session the adapter serves (a Node attach starts its child under it). */
  createSession(parent?: vscode.DebugSession): FirefighterDebugSession;
  /** What runs in the process (node, cpython, …), or undefined when it is gone. */
  runtimeOf(host: string, pid: number): Promise<ProcessInfo['runtime']['kind'] | undefined>;
  pickProcess(host: string, title: string): Promise<number | undefined>;
  sample(host: string, pid: number, extensionUri: vscode.Uri): Promise<void>;
}

/** Snapshots a second while sampling. */
const SAMPLE_HZ = 100;

export function createDebugBackend(services: BackendServices): DebugBackend {
  const sessions = new Set<FirefighterDebugSession>();
  return {
    createSession(parent) {
      const session = new FirefighterDebugSession(
        sessionDependencies({
          ...services,
          attachNode: (runner, args) =>
            createNodeRuntime(runner, {
              host: args.host,
              pid: args.pid,
              parent,
              events: services.events,
              pathMappings: services.pathMappings,
            }),
        }),
      );
      sessions.add(session);
      return session;
    },

    async runtimeOf(host, pid) {
      return (await describeProcess(await services.pool.connect(host), pid))?.runtime.kind;
    },

    async pickProcess(host, title) {
      const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { pid: number }>();
      quickPick.title = title;
      quickPick.placeholder = 'Filter by command, user, runtime or pid';
      quickPick.matchOnDescription = true;
      quickPick.matchOnDetail = true;
      quickPick.busy = true;
      quickPick.show();
      try {
        const runner = await services.pool.connect(host);
        const processes = await listProcesses(runner);
        quickPick.items = processes.map(processItem);
        quickPick.busy = false;
        return await new Promise<number | undefined>((resolve) => {
          quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]?.pid));
          quickPick.onDidHide(() => resolve(undefined));
        });
      } catch (error) {
        void vscode.window.showErrorMessage(`Could not list the processes on ${host}: ${(error as Error).message}`);
        return undefined;
      } finally {
        quickPick.dispose();
      }
    },

    async sample(host, pid, extensionUri) {
      const seconds = await vscode.window.showInputBox({
        title: `Sample ${pid} on ${host}`,
        prompt: 'Seconds to sample (100 snapshots a second; the process never stops)',
        value: '5',
        validateInput: (text) =>
          /^\d+(\.\d+)?$/.test(text.trim()) && Number(text) > 0 && Number(text) <= 600 ? undefined : 'A number of seconds, up to 600',
      });
      if (!seconds) return;
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Sampling ${pid} on ${host} for ${seconds} s…`, cancellable: true },
        async (_progress, token) => {
          const runner = await services.pool.connect(host);
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return sampleProcess(runner, pid, { seconds: Number(seconds), hz: SAMPLE_HZ, signal: abort.signal, events: services.events });
        },
      );
      showFlameGraph(
        extensionUri,
        {
          title: `Profile · ${pid} on ${host}`,
          subtitle: `${result.profile.samples} samples over ${Number(seconds)} s · engine ${result.engine} · ${result.runtime}${result.failures ? ` · ${result.failures} snapshots failed (${result.firstFailure})` : ''}`,
          stacks: result.profile.hottest(),
        },
        async (frame) => {
          await vscode.commands.executeCommand(CommandId.openTraceFrame, {
            file: frame.file,
            line: frame.line,
            column: null,
            function: frame.function,
            app: true,
            host,
          });
        },
      );
    },

    dispose() {
      for (const session of sessions) session.dispose();
      sessions.clear();
    },
  };
}

function processItem(p: ProcessInfo): vscode.QuickPickItem & { pid: number } {
  return {
    label: `${p.cpuPercent.toFixed(1)}%  ${p.command.split(/\s+/)[0]?.split('/').pop() ?? p.command}`,
    description: `pid ${p.pid} · ${p.user} · ${p.runtimeLabel} · ${formatBytes(p.rssBytes)} · ${p.threads} thread${p.threads === 1 ? '' : 's'} · up ${formatAge(p.ageSeconds)}`,
    detail: p.command,
    pid: p.pid,
  };
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}
