// The SSH pool, created on first use so activation does not load ssh2 (see remoteBundle.ts).
// Until then every host is idle; events are relayed from the real pool once it exists.
import * as vscode from 'vscode';
import type { CommandRecord, HostState, HostStateChange, SshPool, SshPoolOptions } from '../core/ssh/pool';
import { DialledEndpoints } from '../core/ssh/dialledEndpoints';
import type { ResolvedHost } from '../core/ssh/types';
import { loadRemote } from './remoteBundle';

export class LazyPool implements vscode.Disposable {
  private pool: SshPool | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<HostStateChange>();
  private readonly commandEmitter = new vscode.EventEmitter<CommandRecord>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidRunCommand = this.commandEmitter.event;

  private readonly dialled = new DialledEndpoints();

  constructor(private readonly options: () => SshPoolOptions) {}

  private get real(): SshPool {
    if (!this.pool) {
      const options = this.options();
      this.pool = new (loadRemote().SshPool)({
        ...options,
        resolveHost: async (name) => {
          const host = await options.resolveHost(name);
          this.dialled.record(name, host);
          return host;
        },
      });
      this.pool.onDidChangeState((e) => this.stateEmitter.fire(e));
      this.pool.onDidRunCommand((e) => this.commandEmitter.fire(e));
    }
    return this.pool;
  }

  state(name: string): HostState {
    return this.pool?.state(name) ?? { kind: 'idle' };
  }

  runner(name: string): ReturnType<SshPool['runner']> {
    return this.real.runner(name);
  }

  connect(name: string, options?: { now?: boolean }): ReturnType<SshPool['connect']> {
    return this.real.connect(name, options);
  }

  /** Records a command run on a host outside the pool (the OpenSSH terminal transport). */
  record(command: CommandRecord): void {
    this.commandEmitter.fire(command);
  }

  disconnect(name: string): void {
    this.pool?.disconnect(name);
  }

  /** For the next dials; a pool not made yet reads the setting when it is. */
  setConnectTimeout(ms: number): void {
    this.pool?.setConnectTimeout(ms);
  }

  /**
   * After the inventory changed: a connected host that now resolves to another address, user,
   * port, key or jump chain is disconnected, so its next use dials the new one.
   */
  reconcile(resolve: (name: string) => ResolvedHost | undefined): void {
    for (const name of this.dialled.takeMoved(resolve)) this.disconnect(name);
  }

  dispose(): void {
    this.pool?.dispose();
    this.stateEmitter.dispose();
    this.commandEmitter.dispose();
  }
}
