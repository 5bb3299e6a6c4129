// A VS Code terminal over a remote pty (an ssh2 shell channel or the system ssh in node-pty).
// When the channel drops, the terminal says so and offers to reconnect instead of hanging.
import * as vscode from 'vscode';
import type { PtyProcess } from '../core/ssh/remote';

export type PtyFactory = (size: { cols: number; rows: number }) => Promise<PtyProcess>;

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const RED = '\x1b[31m';

export class RemoteTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;

  private process: PtyProcess | undefined;
  private size = { cols: 80, rows: 24 };
  private waitingForReconnect = false;
  private closed = false;

  constructor(
    private readonly hostName: string,
    private readonly what: string,
    private readonly startPty: PtyFactory,
  ) {}

  open(initialDimensions: vscode.TerminalDimensions | undefined): void {
    if (initialDimensions) this.size = { cols: initialDimensions.columns, rows: initialDimensions.rows };
    void this.start();
  }

  private async start(): Promise<void> {
    this.waitingForReconnect = false;
    this.writeEmitter.fire(`${DIM}Connecting to ${this.hostName} (${this.what})…${RESET}\r\n`);
    let process: PtyProcess;
    try {
      process = await this.startPty(this.size);
    } catch (error) {
      this.offerReconnect(`Could not start ${this.what} on ${this.hostName}: ${(error as Error).message}`);
      return;
    }
    if (this.closed) {
      process.close();
      return;
    }
    this.process = process;
    process.stdout.setEncoding('utf8');
    process.stdout.on('data', (chunk: string) => this.writeEmitter.fire(chunk));
    process.stderr.setEncoding('utf8');
    process.stderr.on('data', (chunk: string) => this.writeEmitter.fire(chunk));
    const { exitCode, signal, error } = await process.exit;
    if (this.process !== process || this.closed) return;
    this.process = undefined;
    if (exitCode === null && signal === null) {
      // No exit status: the channel or the connection went away under us.
      this.offerReconnect(error?.message ?? `Connection to ${this.hostName} lost.`);
    } else {
      this.closeEmitter.fire(exitCode ?? undefined);
    }
  }

  private offerReconnect(message: string): void {
    this.waitingForReconnect = true;
    this.writeEmitter.fire(`\r\n${RED}${message}${RESET}\r\n${DIM}Press Enter to reconnect, or close this terminal.${RESET}\r\n`);
  }

  handleInput(data: string): void {
    if (this.waitingForReconnect) {
      if (data === '\r') void this.start();
      return;
    }
    this.process?.stdin.write(data);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.size = { cols: dimensions.columns, rows: dimensions.rows };
    this.process?.resize(dimensions.columns, dimensions.rows);
  }

  close(): void {
    this.closed = true;
    this.process?.close();
    this.process = undefined;
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
