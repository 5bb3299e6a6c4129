// What state-changing commands on hosts printed (deploy, verify, restart, signals), in one output
// channel the user is shown after each run. Host text is data: control characters go.
import * as vscode from 'vscode';
import type { HostCommandRun } from '../core/hosts/hostCommand';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export class HostActionOutput implements vscode.Disposable {
  private channel: vscode.OutputChannel | undefined;

  /** Appends one run (its command, exit and output) and shows the channel without taking focus. */
  show(title: string, run: HostCommandRun): void {
    const channel = (this.channel ??= vscode.window.createOutputChannel('Firefighter: Host Actions'));
    const outcome = run.exitCode !== null ? `exit ${run.exitCode}` : `signal ${run.signal ?? 'unknown'}`;
    channel.appendLine(`[${new Date().toISOString()}] ${title} on ${run.host}: ${outcome}`);
    channel.appendLine(`$ ${run.command}`);
    for (const text of [run.stdout, run.stderr]) if (text.trim()) channel.appendLine(text.replace(CONTROL, ' ').trimEnd());
    channel.appendLine('');
    channel.show(true);
  }

  dispose(): void {
    this.channel?.dispose();
  }
}
