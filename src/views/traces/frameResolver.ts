// Maps frames to workspace files across the workspace folders, with the rules from settings and
// the host's own rules: the core's FrameMapper per folder, the first folder that maps wins.
import * as vscode from 'vscode';
import { FrameMapper, type MappableFrame, type MappingVia } from '../../core/traces/mapping';
import type { PathMappingRules } from '../../core/traces/pathMappingRules';
import type { WorkspaceIndex } from '../../core/traces/workspaceIndex';
import type { FolderRef } from './pathMappingSettings';
import type { WorkspaceFiles } from './workspaceFiles';

export interface Candidate {
  /** Absolute path. */
  path: string;
  folder: vscode.WorkspaceFolder;
  /** Relative to the folder, forward slashes. */
  relative: string;
}

export type Resolution =
  | { kind: 'mapped'; path: string; line: number | null; column: number | null; via: MappingVia }
  | { kind: 'ambiguous'; candidates: Candidate[]; reason: string }
  | { kind: 'unmapped'; reason: string };

export function workspaceFolderRefs(): FolderRef[] {
  return (vscode.workspace.workspaceFolders ?? []).map((folder) => ({ name: folder.name, path: folder.uri.fsPath }));
}

/** One resolver per analysis or link activation: it holds the indexes and rules of that moment. */
export class FrameResolver {
  private constructor(
    private readonly mappers: { folder: vscode.WorkspaceFolder; index: WorkspaceIndex; mapper: FrameMapper }[],
    private readonly fallback: FrameMapper,
  ) {}

  static async create(files: WorkspaceFiles, mappings: PathMappingRules, host: string | undefined): Promise<FrameResolver> {
    const rules = mappings.rules;
    const indexes = await files.indexes();
    return new FrameResolver(
      indexes.map(({ folder, index }) => ({
        folder,
        index,
        mapper: new FrameMapper({ index, rules, host, javaSourceRoots: JAVA_SOURCE_ROOTS }),
      })),
      new FrameMapper({ rules, host }),
    );
  }

  async resolve(frame: MappableFrame): Promise<Resolution> {
    if (this.mappers.length === 0) return this.toResolution(await this.fallback.map(frame), undefined);
    let firstMiss: Resolution | undefined;
    const candidates: Candidate[] = [];
    let reason = '';
    for (const entry of this.mappers) {
      const resolution = this.toResolution(await entry.mapper.map(frame), entry);
      if (resolution.kind === 'mapped') return resolution;
      if (resolution.kind === 'ambiguous') {
        candidates.push(...resolution.candidates);
        reason ||= resolution.reason;
      } else firstMiss ??= resolution;
    }
    if (candidates.length > 0) return { kind: 'ambiguous', candidates, reason };
    return firstMiss ?? { kind: 'unmapped', reason: 'no workspace folder maps it' };
  }

  private toResolution(
    mapping: Awaited<ReturnType<FrameMapper['map']>>,
    entry: { folder: vscode.WorkspaceFolder; index: WorkspaceIndex } | undefined,
  ): Resolution {
    if (mapping.kind === 'mapped')
      return { kind: 'mapped', path: mapping.path, line: mapping.line, column: mapping.column, via: mapping.via };
    // Without an index (no folder) the core never finds several candidates.
    if (mapping.kind === 'unmapped' || !entry) return { kind: 'unmapped', reason: mapping.reason };
    return {
      kind: 'ambiguous',
      reason: mapping.reason,
      candidates: mapping.candidates.map((relative) => ({ path: entry.index.absolute(relative), folder: entry.folder, relative })),
    };
  }
}

/** Where Maven and Gradle keep sources: searched first for Java packages. */
const JAVA_SOURCE_ROOTS = ['src/main/java', 'src/main/kotlin', 'src/main/scala', 'src/test/java', 'src/test/kotlin'];
