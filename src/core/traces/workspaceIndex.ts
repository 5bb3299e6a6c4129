// The workspace files that frames can map to, as paths relative to a root. The VS Code side fills
// it from workspace.findFiles; the CLI from a directory walk.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';

export class WorkspaceIndex {
  private readonly files = new Set<string>();
  private readonly lowerCaseFiles = new Map<string, string>();
  /** Lower-cased base name → relative paths. */
  private readonly byBaseName = new Map<string, string[]>();

  /** `root` is absolute; paths are relative to it, with either separator. */
  constructor(
    readonly root: string,
    relativePaths: Iterable<string>,
  ) {
    for (const raw of relativePaths) {
      const rel = normalizeRelative(raw);
      if (!rel || this.files.has(rel)) continue;
      this.files.add(rel);
      this.lowerCaseFiles.set(rel.toLowerCase(), rel);
      const base = rel.slice(rel.lastIndexOf('/') + 1).toLowerCase();
      const list = this.byBaseName.get(base);
      if (list) list.push(rel);
      else this.byBaseName.set(base, [rel]);
    }
  }

  get size(): number {
    return this.files.size;
  }

  /** The indexed spelling of `relativePath`, or undefined. */
  find(relativePath: string, caseInsensitive = false): string | undefined {
    const rel = normalizeRelative(relativePath);
    if (this.files.has(rel)) return rel;
    return caseInsensitive ? this.lowerCaseFiles.get(rel.toLowerCase()) : undefined;
  }

  /** Files whose base name is `baseName` (compared case-insensitively). */
  withBaseName(baseName: string): readonly string[] {
    return this.byBaseName.get(baseName.toLowerCase()) ?? [];
  }

  /** `relativePath` resolved against the root. */
  absolute(relativePath: string): string {
    return path.join(this.root, ...relativePath.split('/'));
  }

  /** The path relative to the root with forward slashes, or null when it lies outside. */
  relative(absolutePath: string): string | null {
    const rel = path.relative(this.root, absolutePath);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
    return rel.split(path.sep).join('/');
  }
}

function normalizeRelative(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
}

export interface IndexDirectoryOptions {
  /** Directory names not descended into. */
  skipDirectories?: readonly string[];
  /** Stop after this many files (a runaway root such as $HOME stays cheap). */
  maxFiles?: number;
}

const DEFAULT_SKIPPED = ['.git', '.hg', '.svn', 'node_modules'];

/** Walks `root` (for the CLI's --root) and indexes every file below it. */
export async function indexDirectory(root: string, options: IndexDirectoryOptions = {}): Promise<WorkspaceIndex> {
  const skip = new Set(options.skipDirectories ?? DEFAULT_SKIPPED);
  const maxFiles = options.maxFiles ?? 200_000;
  const absoluteRoot = path.resolve(root);
  const files: string[] = [];
  const pending: string[] = [''];
  while (pending.length > 0 && files.length < maxFiles) {
    const dir = pending.pop() as string;
    let entries;
    try {
      entries = await readdir(path.join(absoluteRoot, dir), { withFileTypes: true });
    } catch {
      continue; // unreadable directories are simply not part of the index
    }
    for (const entry of entries) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) pending.push(rel);
      } else if (entry.isFile() && files.length < maxFiles) files.push(rel);
    }
  }
  return new WorkspaceIndex(absoluteRoot, files);
}
