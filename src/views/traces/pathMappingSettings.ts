// The `firefighter.pathMappings` setting: validated and with `${workspaceFolder}` expanded into
// the rules the core's FrameMapper takes, and a suggested rule written back in the same form.
// No `vscode` here: unit-tested in plain Node.
import * as path from 'node:path';
import type { PathMappingRule } from '../../core/traces/mapping';

export interface FolderRef {
  name: string;
  /** Absolute path. */
  path: string;
}

export interface SettingsProblem {
  index: number;
  message: string;
}

/**
 * Rules from the setting's raw value. `${workspaceFolder}` is the first folder,
 * `${workspaceFolder:name}` a named one; a relative localRoot is relative to the first folder.
 * Entries that are not rules are skipped and reported.
 */
export function readPathMappings(raw: unknown, folders: readonly FolderRef[]): { rules: PathMappingRule[]; problems: SettingsProblem[] } {
  const rules: PathMappingRule[] = [];
  const problems: SettingsProblem[] = [];
  if (raw === undefined || raw === null) return { rules, problems };
  if (!Array.isArray(raw))
    return { rules, problems: [{ index: -1, message: 'firefighter.pathMappings must be a list of {remoteRoot, localRoot, host?}' }] };
  raw.forEach((entry: unknown, index) => {
    const e = entry as Record<string, unknown> | null;
    if (!e || typeof e !== 'object' || typeof e.remoteRoot !== 'string' || typeof e.localRoot !== 'string' || e.remoteRoot.trim() === '') {
      problems.push({ index, message: `entry ${index + 1} needs "remoteRoot" and "localRoot" strings` });
      return;
    }
    if (e.host !== undefined && typeof e.host !== 'string') {
      problems.push({ index, message: `entry ${index + 1}: "host" must be a host name` });
      return;
    }
    const localRoot = expandLocalRoot(e.localRoot, folders);
    if (localRoot === null) {
      problems.push({ index, message: `entry ${index + 1}: ${e.localRoot} names a workspace folder that is not open` });
      return;
    }
    rules.push(e.host === undefined ? { remoteRoot: e.remoteRoot, localRoot } : { remoteRoot: e.remoteRoot, localRoot, host: e.host });
  });
  return { rules, problems };
}

function expandLocalRoot(localRoot: string, folders: readonly FolderRef[]): string | null {
  let missing = false;
  const expanded = localRoot.replace(/\$\{workspaceFolder(?::([^}]*))?\}/g, (_match, name: string | undefined) => {
    const folder = name === undefined ? folders[0] : folders.find((f) => f.name === name);
    if (!folder) missing = true;
    return folder?.path ?? '';
  });
  if (missing) return null;
  if (path.isAbsolute(expanded) || folders.length === 0) return path.normalize(expanded);
  return path.join(folders[0].path, expanded);
}

/**
 * A local root relative to `folder` as the user would write it in settings:
 * `${workspaceFolder}` for the first folder, `${workspaceFolder:name}` for another.
 */
export function localRootForSettings(localRoot: string, folder: FolderRef, firstFolder: boolean): string {
  const variable = firstFolder ? '${workspaceFolder}' : `\${workspaceFolder:${folder.name}}`;
  return localRoot === '.' || localRoot === '' ? variable : `${variable}/${localRoot.replace(/\\/g, '/')}`;
}

/** A core rule (localRoot relative to `folder`) as the user would write it in settings (see localRootForSettings). */
export function ruleForSettings(rule: PathMappingRule, folder: FolderRef, firstFolder: boolean): PathMappingRule {
  const local = localRootForSettings(rule.localRoot, folder, firstFolder);
  return rule.host === undefined
    ? { remoteRoot: rule.remoteRoot, localRoot: local }
    : { remoteRoot: rule.remoteRoot, localRoot: local, host: rule.host };
}
