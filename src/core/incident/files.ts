// How the incident store reaches its files: Node's fs in the CLI and the host's window, VS Code's
// workspace.fs in a Live Share guest's window (the files are the host's, on the vsls: scheme).
// Paths are POSIX paths under the store's root either way (docs/architecture.md, "Incidents").
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';

export interface IncidentFiles {
  /** The file's text; throws an error with code ENOENT when it does not exist. */
  readText(file: string): Promise<string>;
  /** Writes the file; `exclusive` fails with code EEXIST when it exists (a timeline entry never overwrites one). */
  writeText(file: string, text: string, options?: { exclusive?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** The entries of a folder; none when it does not exist. */
  list(dir: string): Promise<{ name: string; directory: boolean }[]>;
  /** Makes a folder; fails with code EEXIST when it exists, unless `recursive`. */
  mkdir(dir: string, options?: { recursive?: boolean }): Promise<void>;
}

export const nodeFiles: IncidentFiles = {
  readText: (file) => readFile(file, 'utf8'),
  writeText: (file, text, options) => writeFile(file, text, options?.exclusive ? { flag: 'wx' } : undefined),
  rename: (from, to) => rename(from, to),
  list: async (dir) =>
    (await readdir(dir, { withFileTypes: true }).catch(() => [])).map((entry) => ({ name: entry.name, directory: entry.isDirectory() })),
  mkdir: async (dir, options) => {
    await mkdir(dir, { recursive: options?.recursive ?? false });
  },
};

/** An error with a Node-style code, so callers test one shape whatever the file system. */
export function fileError(code: 'ENOENT' | 'EEXIST', file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${file}`), { code });
}
