// The SSH pool, created on first use so activation does not load ssh2 (see src/remote.ts).
// Until then every host is idle; events are relayed from the real pool once it exists.
import * as vscode from 'vscode';
import type * as Remote from '../remote';
import type { CommandRecord, HostState, HostStateChange, SshPool, SshPoolOptions } from '../core/ssh/pool';

export function loadRemote(): typeof Remote {
  // Resolved at run time next to dist/extension.js; the build keeps it external.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./remote.js');
}

export class LazyPool implements vscode.Disposable {
  private pool: SshPool | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<HostStateChange>();
  private readonly commandEmitter = new vscode.EventEmitter<CommandRecord>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidRunCommand = this.commandEmitter.event;

  constructor(private readonly options: () => SshPoolOptions) {}

  private get real(): SshPool {
    if (!this.pool) {
      this.pool = new (loadRemote().SshPool)(this.options());
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

  connect(name: string): ReturnType<SshPool['connect']> {
    return this.real.connect(name);
  }

  /** Records a command run on a host outside the pool (the OpenSSH terminal transport). */
  record(command: CommandRecord): void {
    this.commandEmitter.fire(command);
  }

  disconnect(name: string): void {
    this.pool?.disconnect(name);
  }

  dispose(): void {
    this.pool?.dispose();
    this.stateEmitter.dispose();
    this.commandEmitter.dispose();
  }
}
