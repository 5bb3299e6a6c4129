// A log terminal: a Pseudoterminal over a LogSession. Keys typed in it drive the session (pause,
// filter, open in editor, save excerpt); the ones that need a prompt or an editor are handed to
// the commands (index.ts). Closing the terminal disposes the followers, which close their channels.
import * as vscode from 'vscode';
import { HELP_LINE, keyAction, type LogAction } from './model';
import type { LogSession } from './session';

/** What the terminal cannot do by itself: prompts and editors. */
export interface LogTerminalActions {
  changeFilter(terminal: LogTerminal): Promise<void>;
  openInEditor(terminal: LogTerminal): Promise<void>;
  saveExcerpt(terminal: LogTerminal): Promise<void>;
}

export class LogTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  private readonly nameEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  readonly onDidChangeName = this.nameEmitter.event;
  private session: LogSession | undefined;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly createSession: (write: (text: string) => void) => LogSession,
    private readonly actions: LogTerminalActions,
    private readonly onClosed: () => void,
  ) {}

  /** The session, once the terminal has opened. */
  get current(): LogSession | undefined {
    return this.session;
  }

  open(): void {
    this.session = this.createSession((text) => {
      if (!this.closed) this.writeEmitter.fire(text);
    });
    this.session.start();
  }

  handleInput(data: string): void {
    const action = keyAction(data);
    if (action) void this.run(action);
  }

  async run(action: LogAction): Promise<void> {
    const session = this.session;
    if (!session) return;
    switch (action) {
      case 'togglePause':
        this.nameEmitter.fire(session.togglePause() ? `${this.name} (paused)` : this.name);
        return;
      case 'help':
        session.notice(HELP_LINE);
        return;
      case 'retry':
        if (session.retry() === 0) session.notice('nothing to retry: every log is being followed');
        return;
      case 'close':
        this.closeEmitter.fire();
        this.close();
        return;
      case 'changeFilter':
        return this.actions.changeFilter(this);
      case 'openInEditor':
        return this.actions.openInEditor(this);
      case 'saveExcerpt':
        return this.actions.saveExcerpt(this);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session?.dispose();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
    this.nameEmitter.dispose();
    this.onClosed();
  }
}
