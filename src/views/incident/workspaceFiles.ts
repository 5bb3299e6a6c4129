// The incident store's files through workspace.fs, for a Live Share guest's window: the
// workspace is the host's, on the vsls: scheme, so Node's fs cannot reach it (see ../../core/incident/files.ts).
import * as vscode from 'vscode';
import { fileError, type IncidentFiles } from '../../core/incident/files';

function isMissing(error: unknown): boolean {
  return error instanceof vscode.FileSystemError && error.code === 'FileNotFound';
}

export function workspaceFiles(folder: vscode.Uri): IncidentFiles {
  const uri = (file: string) => folder.with({ path: file });
  return {
    readText: async (file) => {
      try {
        return Buffer.from(await vscode.workspace.fs.readFile(uri(file))).toString('utf8');
      } catch (error) {
        throw isMissing(error) ? fileError('ENOENT', file) : error;
      }
    },
    writeText: async (file, text, options) => {
      if (
        options?.exclusive &&
        (await vscode.workspace.fs.stat(uri(file)).then(
          () => true,
          () => false,
        ))
      )
        throw fileError('EEXIST', file);
      await vscode.workspace.fs.writeFile(uri(file), Buffer.from(text, 'utf8'));
    },
    rename: async (from, to) => {
      await vscode.workspace.fs.rename(uri(from), uri(to), { overwrite: true });
    },
    list: async (dir) => {
      try {
        return (await vscode.workspace.fs.readDirectory(uri(dir))).map(([name, type]) => ({
          name,
          directory: (type & vscode.FileType.Directory) !== 0,
        }));
      } catch {
        return [];
      }
    },
    mkdir: async (dir, options) => {
      if (
        !options?.recursive &&
        (await vscode.workspace.fs.stat(uri(dir)).then(
          () => true,
          () => false,
        ))
      )
        throw fileError('EEXIST', dir);
      await vscode.workspace.fs.createDirectory(uri(dir));
    },
  };
}
