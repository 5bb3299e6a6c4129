// "Tail Log…": which logs (checked in a list of what the host has, or a typed path), one terminal
// each or one merged, and an optional filter. With several hosts selected the list is the clicked
// host's and the chosen paths are followed on every host. The terminals are LogTerminals' job.
import * as vscode from 'vscode';
import type { LogFilter } from '../../core/logs/filter';
import { defaultLogGlobs, listLogFiles } from '../../core/logs/list';
import type { InventoryHost } from '../../core/hosts/inventory';
import type { Services } from '../services';
import { describeLogFile, parseFilterText, typedPath } from './model';

export interface TailRequest {
  paths: string[];
  merged: boolean;
  filter: LogFilter | undefined;
}

interface FileItem extends vscode.QuickPickItem {
  path: string;
}

/**
 * Asks what to follow on `hosts` (one or more; the files listed are the first one's); undefined
 * when the user cancels or the first host cannot be reached.
 */
export async function askTailRequest(services: Services, hosts: readonly InventoryHost[]): Promise<TailRequest | undefined> {
  const paths = await pickLogFiles(services, hosts);
  if (!paths || paths.length === 0) return undefined;
  const where = hosts.length === 1 ? hosts[0].name : `${hosts.length} hosts`;
  const count = paths.length * hosts.length;
  let merged = false;
  if (count > 1) {
    const each = { label: 'One terminal each', description: `${count} terminals`, merged: false };
    const one = { label: 'One merged terminal', description: 'each line starts with its host and file', merged: true };
    const mode = await vscode.window.showQuickPick([each, one], { title: `Tail ${count} logs on ${where}`, placeHolder: 'How to show them' });
    if (!mode) return undefined;
    merged = mode.merged;
  }
  const text = await vscode.window.showInputBox({
    title: `Filter for ${paths.length === 1 ? paths[0] : `${paths.length} logs`} on ${where} (optional)`,
    prompt: 'Only lines containing this text (case-sensitive), or /regex/ (/regex/i ignores case). Leave empty for every line.',
    placeHolder: 'e.g. ERROR or /timeout|5\\d\\d/i',
    validateInput: (value) => {
      const parsed = parseFilterText(value);
      return 'error' in parsed ? parsed.error : undefined;
    },
  });
  if (text === undefined) return undefined;
  const parsed = parseFilterText(text);
  if ('error' in parsed) return undefined;
  return { paths, merged, filter: parsed.filter };
}

/**
 * The logs to follow: the files matching the host's `logs` globs (the defaults otherwise), newest
 * first, several may be checked; or a typed path. Enter with nothing checked takes the focused row.
 * With several hosts, the list is the first host's (listing every host would be slow) and the
 * paths chosen are followed on all of them.
 */
async function pickLogFiles(services: Services, hosts: readonly InventoryHost[]): Promise<string[] | undefined> {
  const host = hosts[0];
  const globs = host.logs.length > 0 ? host.logs : defaultLogGlobs;
  const picker = vscode.window.createQuickPick<FileItem>();
  picker.title = hosts.length === 1 ? `Tail Log on ${host.name}` : `Tail Log on ${hosts.map((h) => h.name).join(', ')}`;
  picker.placeholder = hosts.length === 1
    ? 'Check one or more logs, or type a path such as /var/log/app.log'
    : `Check one or more of ${host.name}'s logs, or type a path: each is followed on all ${hosts.length} hosts`;
  picker.canSelectMany = true;
  picker.matchOnDescription = true;
  picker.ignoreFocusOut = true;
  picker.busy = true;
  let files: FileItem[] = [];
  let typed: FileItem | undefined;
  let hidden = false;
  const refresh = () => {
    const keep = picker.selectedItems;
    const path = typedPath(picker.value);
    if (!path || files.some((f) => f.path === path)) typed = undefined;
    else if (typed?.path !== path) typed = { label: path, description: 'follow this path', iconPath: new vscode.ThemeIcon('edit'), alwaysShow: true, path };
    picker.items = typed ? [...files, typed] : files;
    picker.selectedItems = keep.filter((item) => picker.items.includes(item));
  };

  const result = new Promise<string[] | undefined>((resolve) => {
    picker.onDidChangeValue(refresh);
    picker.onDidAccept(() => {
      const chosen = picker.selectedItems.length > 0 ? picker.selectedItems : picker.activeItems.slice(0, 1);
      if (chosen.length === 0) return;
      resolve(chosen.map((item) => item.path));
      picker.hide();
    });
    picker.onDidHide(() => {
      hidden = true;
      resolve(undefined);
      picker.dispose();
    });
  });
  picker.show();

  void (async () => {
    const runner = await services.pool.connect(host.name).catch((error: Error) => {
      picker.hide();
      void vscode.window.showErrorMessage(`Tail Log: ${error.message}`);
      return undefined;
    });
    if (!runner || hidden) return;
    try {
      const entries = await listLogFiles(runner, globs);
      const now = Date.now();
      files = entries.map((entry) => ({
        label: entry.path,
        description: describeLogFile(entry, now),
        iconPath: new vscode.ThemeIcon(entry.readable ? 'file' : 'lock'),
        path: entry.path,
      }));
      if (files.length === 0) picker.placeholder = `No files on ${host.name} match ${globs.join(', ')}; type a path`;
    } catch (error) {
      picker.placeholder = (error as Error).message;
    }
    if (hidden) return;
    picker.busy = false;
    refresh();
  })();
  return result;
}
