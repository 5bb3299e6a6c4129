// The SSH pool, created on first use so activation does not load ssh2 (see remoteBundle.ts).
// Until then every host is idle; state changes are relayed from the real pool once it exists.
// Commands (the pool's and the OpenSSH terminal's) and connection changes go to the event bus.
import * as vscode from 'vscode';
import type { EventPublisher } from '../core/events/bus';
import type { OpenSshTerminalOptions } from '../core/ssh/openssh';
import type { HostState, HostStateChange, SshPool, SshPoolOptions } from '../core/ssh/pool';
import type { PtyProcess } from '../core/ssh/remote';
import type { ResolvedHost } from '../core/ssh/types';
import { loadRemote } from './remoteBundle';

export class LazyPool implements vscode.Disposable {
  private pool: SshPool | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<HostStateChange>();
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    private readonly options: () => SshPoolOptions,
    private readonly events: EventPublisher,
  ) {}

  private get real(): SshPool {
    if (!this.pool) {
      this.pool = new (loadRemote().SshPool)({ ...this.options(), events: this.events });
      this.pool.onDidChangeState((e) => this.stateEmitter.fire(e));
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

  /** A terminal through the system ssh; its command is published like the pool's. */
  openSshTerminal(host: ResolvedHost, options: Omit<OpenSshTerminalOptions, 'events'>): PtyProcess {
    return loadRemote().spawnOpenSshTerminal(host, { ...options, events: this.events });
  }

  disconnect(name: string): void {
    this.pool?.disconnect(name);
  }

  /** For the next dials; a pool not made yet reads the setting when it is. */
  setConnectTimeout(ms: number): void {
    this.pool?.setConnectTimeout(ms);
  }

  /** After the inventory changed: connections that now resolve elsewhere are closed (SshPool.reconcile). */
  reconcile(resolve: (name: string) => ResolvedHost | undefined): void {
    this.pool?.reconcile(resolve);
  }

  dispose(): void {
    this.pool?.dispose();
    this.stateEmitter.dispose();
  }
}
