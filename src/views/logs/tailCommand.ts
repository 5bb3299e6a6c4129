// "Tail Log…": which logs (checked in a list of what the hosts have, or a typed path; a button in
// the list's title bar chooses to start from the first line instead of the last ones), one
// terminal each or one merged, and an optional filter. With several hosts selected the chosen
// paths are followed on every host. The terminals are LogTerminals' job.
import * as vscode from 'vscode';
import type { LogFilter } from '../../core/logs/filter';
import { defaultLogGlobs, listLogFiles, type LogFileEntry } from '../../core/logs/list';
import type { InventoryHost } from '../../core/hosts/inventory';
import type { Services } from '../services';
import { describeListedLog, mergeLogLists, parseFilterText, typedPath } from './model';

export interface TailRequest {
  paths: string[];
  merged: boolean;
  /** From the first line of each file instead of its last `firefighter.tailLines` lines. */
  fromStart: boolean;
  filter: LogFilter | undefined;
}

interface FileItem extends vscode.QuickPickItem {
  path: string;
}

/** Asks what to follow on `hosts` (one or more); undefined when the user cancels. */
export async function askTailRequest(
  services: Services,
  hosts: readonly InventoryHost[],
  tailLines: number,
): Promise<TailRequest | undefined> {
  const picked = await pickLogFiles(services, hosts, tailLines);
  if (!picked || picked.paths.length === 0) return undefined;
  const { paths, fromStart } = picked;
  const where = hosts.length === 1 ? hosts[0].name : `${hosts.length} hosts`;
  const count = paths.length * hosts.length;
  let merged = false;
  if (count > 1) {
    const each = { label: 'One terminal each', description: `${count} terminals`, merged: false };
    const one = { label: 'One merged terminal', description: 'each line starts with its host and file', merged: true };
    const mode = await vscode.window.showQuickPick([each, one], {
      title: `Tail ${count} logs on ${where}`,
      placeHolder: 'How to show them',
    });
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
  return { paths, merged, fromStart, filter: parsed.filter };
}

/**
 * The logs to follow: the files matching each host's `logs` globs (the defaults otherwise), listed
 * on every host at once and merged as they answer, newest first; several may be checked; or a
 * typed path. Enter with nothing checked takes the focused row. The paths chosen are followed on
 * all the hosts. A host that cannot list leaves the others' files to choose from.
 */
async function pickLogFiles(
  services: Services,
  hosts: readonly InventoryHost[],
  tailLines: number,
): Promise<{ paths: string[]; fromStart: boolean } | undefined> {
  const names = hosts.map((h) => h.name);
  const picker = vscode.window.createQuickPick<FileItem>();
  // Where to start, toggled by the title bar's button: the last `tailLines` lines, or line 1.
  let fromStart = false;
  const startButton = (): vscode.QuickInputButton =>
    fromStart
      ? {
          iconPath: new vscode.ThemeIcon('fold-up'),
          tooltip: `From the start of the file (click for the last ${tailLines.toLocaleString('en-US')} lines)`,
        }
      : {
          iconPath: new vscode.ThemeIcon('fold-down'),
          tooltip: `The last ${tailLines.toLocaleString('en-US')} lines (click to start from the start of the file)`,
        };
  const title = () =>
    `Tail Log on ${names.join(', ')}: ${fromStart ? 'from the start' : `the last ${tailLines.toLocaleString('en-US')} lines`}`;
  picker.title = title();
  picker.buttons = [startButton()];
  picker.onDidTriggerButton(() => {
    fromStart = !fromStart;
    picker.title = title();
    picker.buttons = [startButton()];
  });
  picker.placeholder =
    hosts.length === 1
      ? 'Check one or more logs, or type a path such as /var/log/app.log'
      : `Check one or more logs, or type a path: each is followed on all ${hosts.length} hosts`;
  picker.canSelectMany = true;
  picker.matchOnDescription = true;
  picker.ignoreFocusOut = true;
  picker.busy = true;
  // One item per path for the picker's life, so a check survives the list growing.
  const items = new Map<string, FileItem>();
  let files: FileItem[] = [];
  let typed: FileItem | undefined;
  let hidden = false;
  const refresh = () => {
    const checked = picker.selectedItems;
    const path = typedPath(picker.value);
    if (!path || files.some((f) => f.path === path)) typed = undefined;
    else if (typed?.path !== path)
      typed = { label: path, description: 'follow this path', iconPath: new vscode.ThemeIcon('edit'), alwaysShow: true, path };
    picker.items = typed ? [...files, typed] : files;
    picker.selectedItems = checked.filter((item) => picker.items.includes(item));
  };

  const result = new Promise<{ paths: string[]; fromStart: boolean } | undefined>((resolve) => {
    picker.onDidChangeValue(refresh);
    picker.onDidAccept(() => {
      const chosen = picker.selectedItems.length > 0 ? picker.selectedItems : picker.activeItems.slice(0, 1);
      if (chosen.length === 0) return;
      resolve({ paths: chosen.map((item) => item.path), fromStart });
      picker.hide();
    });
    picker.onDidHide(() => {
      hidden = true;
      resolve(undefined);
      picker.dispose();
    });
  });
  picker.show();

  const listed = new Map<string, LogFileEntry[]>();
  const failures: string[] = [];
  const show = () => {
    const now = Date.now();
    files = mergeLogLists(names, listed).map((log) => {
      const item = items.get(log.path) ?? { label: log.path, path: log.path };
      item.description = describeListedLog(log, listed.size, now);
      item.iconPath = new vscode.ThemeIcon(log.entry.readable ? 'file' : 'lock');
      items.set(log.path, item);
      return item;
    });
    const waiting = listed.size + failures.length < hosts.length;
    picker.busy = waiting;
    if (failures.length > 0)
      picker.placeholder = `${failures.join('; ')}. ${files.length > 0 ? 'Check a log listed, or type a path' : 'Type a path'}`;
    else if (!waiting && files.length === 0) picker.placeholder = `No files on ${names.join(', ')} match their logs globs; type a path`;
    // New items move the focus to the first row: keep the row the user was on.
    const focused = picker.activeItems;
    refresh();
    const stillFocused = focused.filter((item) => picker.items.includes(item));
    if (stillFocused.length > 0) picker.activeItems = stillFocused;
  };
  let unreachable = 0;
  // Not awaited: the user may choose before the slowest host has answered.
  void Promise.all(
    hosts.map(async (host) => {
      try {
        const runner = await services.pool.connect(host.name, { now: true }).catch((error: Error) => {
          unreachable++;
          throw error;
        });
        if (hidden) return;
        listed.set(host.name, await listLogFiles(runner, host.logs.length > 0 ? host.logs : defaultLogGlobs));
      } catch (error) {
        failures.push((error as Error).message.replace(/\.$/, ''));
      }
      if (hidden) return;
      if (unreachable === hosts.length) {
        // Nothing to follow anywhere: say why instead of offering an empty list.
        picker.hide();
        void vscode.window.showErrorMessage(`Tail Log: ${failures.join('; ')}.`);
      } else show();
    }),
  );
  return result;
}
