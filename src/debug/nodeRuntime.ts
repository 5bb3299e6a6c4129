// attach mode "node": the Firefighter session opens the process's inspector over the pooled SSH
// connection and hands it to VS Code's JavaScript debugger as a child session; the two end
// together, and the forward with them (docs/architecture.md, "Debugging: Node processes").
import * as vscode from 'vscode';
import { openNodeInspector, type ForwardingRunner, type NodeInspector } from '../core/debug/node/inspector';
import { nodeDebugRoots } from '../core/debug/node/roots';
import { RuntimeEventSource, RuntimeUnsupported, type DebugRuntime, type RuntimeBreakpoint } from '../core/debug/runtime';
import type { EventPublisher } from '../core/events';
import type { PathMappingRules } from '../core/traces/pathMappingRules';

export interface NodeRuntimeOptions {
  host: string;
  pid: number;
  /** The Firefighter session: the JavaScript debugger runs as its child. */
  parent: vscode.DebugSession | undefined;
  events: EventPublisher;
  pathMappings: PathMappingRules;
}

/** Marks the child configuration, to find the session it becomes. */
const PARENT_KEY = '__firefighterParent';

export async function createNodeRuntime(runner: ForwardingRunner, options: NodeRuntimeOptions): Promise<DebugRuntime> {
  if (!options.parent) throw new Error('A Node attach needs the VS Code debug session it runs in; start it from VS Code.');
  const inspector = await openNodeInspector(runner, options.pid, { events: options.events });
  return new NodeChildRuntime(inspector, options.parent, options);
}

/** The parent side: no threads of its own; everything is in the JavaScript debugger's session. */
class NodeChildRuntime extends RuntimeEventSource implements DebugRuntime {
  readonly kind = 'node';
  private child: vscode.DebugSession | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private ended = false;

  constructor(
    private readonly inspector: NodeInspector,
    private readonly parent: vscode.DebugSession,
    private readonly options: NodeRuntimeOptions,
  ) {
    super();
    this.subscriptions.push(
      vscode.debug.onDidStartDebugSession((session) => {
        if (session.configuration[PARENT_KEY] === parent.id) this.child = session;
      }),
      vscode.debug.onDidTerminateDebugSession((session) => {
        if (session !== this.child) return;
        this.child = undefined;
        void this.end('the JavaScript debugger session ended');
      }),
    );
  }

  /** Called once the client configured the parent session (FirefighterDebugSession). */
  async start(): Promise<void> {
    const { host, pid } = this.options;
    const roots = nodeDebugRoots(this.options.pathMappings.forHost(host), host);
    const how = this.inspector.signalled ? 'opened with SIGUSR1' : 'already open';
    this.outputEmitter.fire({
      category: 'console',
      text: `Inspector of ${pid} on ${host} (port ${this.inspector.remotePort}, ${how}) forwarded to 127.0.0.1:${this.inspector.localPort}.\n`,
    });
    if (!roots)
      this.outputEmitter.fire({
        category: 'important',
        text: `No firefighter.pathMappings rule applies to ${host}: breakpoints bind only to the host's files as shown by the debugger.\n`,
      });
    const started = await vscode.debug.startDebugging(
      vscode.workspace.workspaceFolders?.[0],
      {
        type: 'pwa-node',
        request: 'attach',
        name: `Node · ${pid} on ${host}`,
        address: '127.0.0.1',
        port: this.inspector.localPort,
        ...(roots ?? {}),
        // The process was running before and runs on after: never pause it on attach, never restart it.
        continueOnAttach: true,
        restart: false,
        skipFiles: ['<node_internals>/**'],
        [PARENT_KEY]: this.parent.id,
      },
      { parentSession: this.parent, lifecycleManagedByParent: true, compact: true },
    );
    if (!started) await this.end('VS Code could not start its JavaScript debugger (is the built-in js-debug extension enabled?)');
  }

  async threads() {
    return [];
  }

  async stack(): Promise<never> {
    throw this.elsewhere();
  }

  async scopes(): Promise<never> {
    throw this.elsewhere();
  }

  async variables(): Promise<never> {
    throw this.elsewhere();
  }

  async evaluate(): Promise<never> {
    throw this.elsewhere();
  }

  /** Breakpoints are the JavaScript debugger's: this session reports them unbound. */
  async setBreakpoints(_file: string, requests: unknown[]): Promise<RuntimeBreakpoint[]> {
    return requests.map(() => ({ verified: false, message: 'Bound by the JavaScript debugger session.' }));
  }

  async setFunctionBreakpoints(requests: unknown[]): Promise<RuntimeBreakpoint[]> {
    return this.setBreakpoints('', requests);
  }

  async pause(): Promise<void> {
    throw this.elsewhere();
  }

  async continue(): Promise<void> {
    throw this.elsewhere();
  }

  async next(): Promise<void> {
    throw this.elsewhere();
  }

  async stepIn(): Promise<void> {
    throw this.elsewhere();
  }

  async stepOut(): Promise<void> {
    throw this.elsewhere();
  }

  /** The parent ends: the child session stops (the process runs on) and the forward closes. */
  async detach(): Promise<void> {
    await this.end('detached');
  }

  private async end(reason: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const child = this.child;
    this.child = undefined;
    if (child) await Promise.resolve(vscode.debug.stopDebugging(child)).catch(() => undefined);
    await this.inspector.dispose();
    this.endEmitter.fire({ reason });
  }

  private elsewhere(): RuntimeUnsupported {
    return new RuntimeUnsupported(`The JavaScript debugger session of ${this.options.pid} on ${this.options.host} shows this process.`);
  }

  dispose(): void {
    void this.end('detached');
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const emitter of [this.stopEmitter, this.continueEmitter, this.outputEmitter, this.endEmitter]) emitter.dispose();
  }
}
