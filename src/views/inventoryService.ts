// Keeps the host inventory current: reads ssh_config (setting `firefighter.sshConfigFile`) and the
// workspace's .vscode/hosts.json, and reloads when either file or the setting changes. Problems
// in those files are shown as diagnostics at their line, so the rest of the inventory still loads.
// In an untrusted workspace hosts.json is not read (it names hosts, users, keys and jump hosts
// the extension would connect to): only the user's own ssh config is (package.json
// `capabilities.untrustedWorkspaces`, docs/architecture.md "SSH").
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Settings } from './settings';
import type { Inventory, InventoryHost } from '../core/hosts/inventory';
import { loadInventoryBundle } from './inventoryBundle';

export class InventoryService implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('firefighter-hosts');
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter, this.diagnostics];
  private current: Inventory | undefined;

  constructor(private readonly settings: Settings) {
    const reload = () => this.reload();
    const hostsJsonWatcher = vscode.workspace.createFileSystemWatcher('**/.vscode/hosts.json');
    this.disposables.push(
      hostsJsonWatcher,
      hostsJsonWatcher.onDidChange(reload),
      hostsJsonWatcher.onDidCreate(reload),
      hostsJsonWatcher.onDidDelete(reload),
      settings.onDidChange('sshConfigFile', reload),
      vscode.workspace.onDidChangeWorkspaceFolders(reload),
      vscode.workspace.onDidGrantWorkspaceTrust(reload),
      // ssh_config usually lives outside the workspace; saving it in the editor reloads too.
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (document.uri.fsPath === this.sshConfigFile) reload();
      }),
    );
  }

  get sshConfigFile(): string {
    const configured = this.settings.get('sshConfigFile').trim();
    if (!configured) return path.join(os.homedir(), '.ssh', 'config');
    const expanded = configured.replace(/^~(?=$|\/)/, os.homedir());
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return path.isAbsolute(expanded) || !folder ? expanded : path.join(folder, expanded);
  }

  /** The workspace's hosts.json; none until the workspace is trusted. */
  get hostsJsonFile(): string | undefined {
    if (!vscode.workspace.isTrusted) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? path.join(folder.uri.fsPath, '.vscode', 'hosts.json') : undefined;
  }

  /** The inventory, loaded on first use (not during activation). */
  get inventory(): Inventory {
    this.current ??= this.load();
    return this.current;
  }

  get hosts(): InventoryHost[] {
    return this.inventory.hosts;
  }

  host(name: string): InventoryHost | undefined {
    return this.hosts.find((host) => host.name === name);
  }

  /** Reads the files again; listeners hear of it only when the inventory really changed. */
  reload(): void {
    const previous = this.current;
    this.current = this.load();
    // A rebuilt tree drops the rows a pending context-menu command refers to: skip no-op reloads.
    if (previous && JSON.stringify(previous) === JSON.stringify(this.current)) return;
    this.changeEmitter.fire();
  }

  private load(): Inventory {
    const inventory = loadInventoryBundle().loadInventory({ sshConfigFile: this.sshConfigFile, hostsJsonFile: this.hostsJsonFile });
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const problem of inventory.errors) {
      const line = Math.max(0, (problem.line ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), problem.message, vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'Firefighter';
      byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), diagnostic]);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
    return inventory;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
