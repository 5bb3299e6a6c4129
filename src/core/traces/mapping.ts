// Maps a frame's remote path to a workspace file, in the order the issue fixes: explicit rules
// (longest remote prefix first), JavaScript source maps for built output, Java package
// directories, then unique-suffix inference. An ambiguous match returns its candidates: it never
// guesses. A frame that maps nowhere says why.
import { readFile as fsReadFile } from 'node:fs/promises';
import * as path from 'node:path';
import { normalizeFileText } from './syntax';
import { SourceMap } from './sourceMap';
import type { StackFrame } from './types';
import type { WorkspaceIndex } from './workspaceIndex';

export interface PathMappingRule {
  /** Path prefix on the host, e.g. `/srv/app/current` or `C:\inetpub\app`. */
  remoteRoot: string;
  /** Absolute local directory, or relative to the index root (the workspace folder). */
  localRoot: string;
  /** Only for frames from this host; rules without a host apply everywhere. */
  host?: string;
}

export type MappingVia = 'rule' | 'workspace' | 'source-map' | 'java-package' | 'suffix';

export type FrameMapping =
  | {
      kind: 'mapped';
      /** Absolute local path. */
      path: string;
      /** Relative to the index root with forward slashes; null when outside it (or no index). */
      relativePath: string | null;
      /** Where to put the cursor: the frame's own line, or the original line through a source map. */
      line: number | null;
      column: number | null;
      via: MappingVia;
    }
  | { kind: 'ambiguous'; candidates: string[]; reason: string }
  | { kind: 'unmapped'; reason: string };

export interface FrameMapperOptions {
  /** Without an index only rules (trusted as written) and source maps beside their targets apply. */
  index?: WorkspaceIndex;
  rules?: readonly PathMappingRule[];
  /** The host the frames came from, for per-host rules. */
  host?: string;
  /** Java source roots relative to the index root (e.g. `src/main/java`), searched first. */
  javaSourceRoots?: readonly string[];
  /** Reads a local file for source maps; resolves undefined when it cannot. Defaults to node:fs. */
  readFile?: (absolutePath: string) => Promise<string | undefined>;
}

export type MappableFrame = Pick<StackFrame, 'function' | 'file' | 'line' | 'column' | 'app'>;

const JS_OUTPUT = /\.(?:js|mjs|cjs)$/i;
const JVM_SOURCE = /\.(?:java|kt|kts|scala|groovy)$/;
const MAX_CANDIDATES = 20;
const MAX_CACHED_MAPS = 32;

interface RemotePath {
  /** Forward slashes, file:// decoded. */
  path: string;
  segments: string[];
  /** Windows paths compare case-insensitively. */
  caseInsensitive: boolean;
}

function parseRemote(file: string): RemotePath {
  const decoded = normalizeFileText(file);
  const caseInsensitive = /^[A-Za-z]:[\\/]/.test(decoded) || decoded.includes('\\');
  const p = decoded.replace(/\\/g, '/').replace(/\/+$/, '');
  return { path: p, segments: p.split('/').filter((s) => s !== '' && s !== '.'), caseInsensitive };
}

function isAbsoluteAnywhere(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:\//.test(p);
}

export class FrameMapper {
  private readonly rules: { rule: PathMappingRule; root: RemotePath }[];
  private readonly readFile: (absolutePath: string) => Promise<string | undefined>;
  private readonly sourceMaps = new Map<string, Promise<{ map: SourceMap; file: string } | null>>();

  constructor(private readonly options: FrameMapperOptions) {
    this.rules = (options.rules ?? [])
      .filter((rule) => rule.host === undefined || rule.host === options.host)
      .map((rule) => ({ rule, root: parseRemote(rule.remoteRoot) }))
      // Longest prefix first; at equal length a host's own rule wins over a global one.
      .sort((a, b) => b.root.path.length - a.root.path.length || Number(b.rule.host !== undefined) - Number(a.rule.host !== undefined));
    this.readFile =
      options.readFile ??
      (async (p) => {
        try {
          return await fsReadFile(p, 'utf8');
        } catch {
          return undefined;
        }
      });
  }

  async map(frame: MappableFrame): Promise<FrameMapping> {
    if (!frame.file) return { kind: 'unmapped', reason: 'the frame has no file (native or runtime code)' };
    if (JVM_SOURCE.test(frame.file) && !/[\\/]/.test(frame.file) && frame.function?.includes('.')) {
      const java = this.mapJava(frame.file, frame.function, frame.line);
      if (java) return java;
    }
    const mapped = this.mapPath(frame.file, frame.line, frame.column, frame.app);
    if (mapped.kind === 'mapped' && JS_OUTPUT.test(mapped.path) && frame.line !== null) {
      return (await this.throughSourceMap(mapped.path, frame.line, frame.column ?? 1)) ?? mapped;
    }
    return mapped;
  }

  /** Maps a path alone (rules, workspace, suffix inference); no source maps. */
  mapPath(file: string, line: number | null = null, column: number | null = null, app = true): FrameMapping {
    if (file.startsWith('<') || file.startsWith('node:') || file.startsWith('[')) {
      return { kind: 'unmapped', reason: `${file} is not a source file` };
    }
    const remote = parseRemote(file);
    const index = this.options.index;
    let ruleMiss: string | null = null;
    for (const { rule, root } of this.rules) {
      const rest = stripPrefix(remote, root);
      if (rest === null) continue;
      const localRoot = path.resolve(index?.root ?? process.cwd(), rule.localRoot);
      const absolute = path.join(localRoot, ...rest.split('/'));
      const relative = index?.relative(absolute) ?? null;
      if (!index || relative === null) return { kind: 'mapped', path: absolute, relativePath: null, line, column, via: 'rule' };
      const found = index.find(relative, remote.caseInsensitive);
      if (found) return { kind: 'mapped', path: index.absolute(found), relativePath: found, line, column, via: 'rule' };
      ruleMiss = relative;
      break;
    }
    if (!index) return { kind: 'unmapped', reason: 'no rule matches and there is no workspace to search' };
    // The path may already be local: relative to the workspace, or absolute inside it.
    const direct = isAbsoluteAnywhere(remote.path) ? index.relative(remote.path) : remote.segments.join('/');
    const directFound = direct !== null ? index.find(direct, remote.caseInsensitive) : undefined;
    if (directFound)
      return { kind: 'mapped', path: index.absolute(directFound), relativePath: directFound, line, column, via: 'workspace' };

    const inferred = inferBySuffix(index, remote, app);
    if (inferred.kind === 'mapped') {
      return {
        kind: 'mapped',
        path: index.absolute(inferred.relativePath),
        relativePath: inferred.relativePath,
        line,
        column,
        via: 'suffix',
      };
    }
    if (inferred.kind === 'ambiguous') {
      return {
        kind: 'ambiguous',
        candidates: inferred.candidates,
        reason: `${inferred.candidates.length} workspace files end with ${inferred.suffix}`,
      };
    }
    return {
      kind: 'unmapped',
      reason: ruleMiss
        ? `a rule maps it to ${ruleMiss}, which is not in the workspace`
        : 'no rule matches and no workspace file ends with its path',
    };
  }

  private mapJava(file: string, fn: string, line: number | null): FrameMapping | null {
    const index = this.options.index;
    if (!index) return null;
    const segments = fn.split('.');
    const stem = file.slice(0, file.lastIndexOf('.'));
    let classAt = -1;
    for (let k = segments.length - 2; k >= 0; k--) {
      if (segments[k] === stem || segments[k].startsWith(stem + '$')) {
        classAt = k;
        break;
      }
    }
    // Kotlin file classes (`AppKt`) and the like: the class is the segment before the method.
    if (classAt < 0) classAt = segments.length - 2;
    const suffix = [...segments.slice(0, Math.max(0, classAt)), file].join('/');
    const matches = index.withBaseName(file).filter((c) => c === suffix || c.endsWith('/' + suffix));
    const inRoots = (this.options.javaSourceRoots ?? [])
      .map((root) => `${root.replace(/\\/g, '/').replace(/\/+$/, '')}/${suffix}`)
      .filter((candidate) => matches.includes(candidate));
    const chosen = inRoots.length > 0 ? inRoots : matches;
    if (chosen.length === 1) {
      return { kind: 'mapped', path: index.absolute(chosen[0]), relativePath: chosen[0], line, column: null, via: 'java-package' };
    }
    if (chosen.length > 1) {
      return {
        kind: 'ambiguous',
        candidates: chosen.slice(0, MAX_CANDIDATES).sort(),
        reason: `${chosen.length} source roots hold ${suffix}`,
      };
    }
    return null;
  }

  private async throughSourceMap(generated: string, line: number, column: number): Promise<FrameMapping | null> {
    const loaded = await this.loadSourceMap(generated);
    if (!loaded) return null;
    const original = loaded.map.originalPositionFor(line, column);
    if (!original) return null;
    const source = resolveSourcePath(loaded.file, loaded.map.sourceRoot, original.source);
    const index = this.options.index;
    if (!index)
      return { kind: 'mapped', path: source, relativePath: null, line: original.line, column: original.column, via: 'source-map' };
    const relative = index.relative(source);
    const found = relative !== null ? index.find(relative) : undefined;
    const inferred = found ? { kind: 'mapped' as const, relativePath: found } : inferBySuffix(index, parseRemote(source), true);
    if (inferred.kind !== 'mapped') return null;
    return {
      kind: 'mapped',
      path: index.absolute(inferred.relativePath),
      relativePath: inferred.relativePath,
      line: original.line,
      column: original.column,
      via: 'source-map',
    };
  }

  private loadSourceMap(generated: string): Promise<{ map: SourceMap; file: string } | null> {
    let loading = this.sourceMaps.get(generated);
    if (!loading) {
      loading = this.readSourceMap(generated);
      if (this.sourceMaps.size >= MAX_CACHED_MAPS) this.sourceMaps.delete(this.sourceMaps.keys().next().value as string);
      this.sourceMaps.set(generated, loading);
    }
    return loading;
  }

  private async readSourceMap(generated: string): Promise<{ map: SourceMap; file: string } | null> {
    const parse = (text: string | undefined, file: string) => {
      if (text === undefined) return null;
      try {
        return { map: SourceMap.parse(text), file };
      } catch {
        return null; // a broken map leaves the frame on the built file
      }
    };
    const sibling = `${generated}.map`;
    const siblingMap = parse(await this.readIfIndexed(sibling), sibling);
    if (siblingMap) return siblingMap;
    const code = await this.readIfIndexed(generated);
    const url = code === undefined ? null : sourceMappingUrl(code);
    if (!url) return null;
    const inline = /^data:application\/json(?:;charset=[\w-]+)?;base64,(.*)$/.exec(url);
    if (inline) return parse(Buffer.from(inline[1], 'base64').toString('utf8'), generated);
    const mapFile = path.resolve(path.dirname(generated), decodeURIComponent(url));
    return parse(await this.readIfIndexed(mapFile), mapFile);
  }

  /** Files inside the workspace are read only when the index knows them (no stray disk reads). */
  private async readIfIndexed(file: string): Promise<string | undefined> {
    const index = this.options.index;
    const relative = index?.relative(file) ?? null;
    if (index && relative !== null && !index.find(relative)) return undefined;
    return this.readFile(file);
  }
}

function stripPrefix(remote: RemotePath, root: RemotePath): string | null {
  const fold = remote.caseInsensitive || root.caseInsensitive;
  const a = fold ? remote.path.toLowerCase() : remote.path;
  const b = fold ? root.path.toLowerCase() : root.path;
  if (b === '') return remote.segments.join('/');
  if (!a.startsWith(b + '/')) return null;
  return remote.path.slice(b.length + 1).replace(/^\/+/, '');
}

type SuffixResult =
  { kind: 'mapped'; relativePath: string } | { kind: 'ambiguous'; candidates: string[]; suffix: string } | { kind: 'none' };

/**
 * The workspace file sharing the longest run of trailing path segments with the remote path.
 * Only the base name in common is weak evidence: an application frame then asks (ambiguous),
 * a library frame stays unmapped.
 */
function inferBySuffix(index: WorkspaceIndex, remote: RemotePath, app: boolean): SuffixResult {
  const segments = remote.segments;
  if (segments.length === 0) return { kind: 'none' };
  const equal = remote.caseInsensitive ? (x: string, y: string) => x.toLowerCase() === y.toLowerCase() : (x: string, y: string) => x === y;
  let best = 0;
  let bestCandidates: string[] = [];
  let weak = true;
  for (const candidate of index.withBaseName(segments[segments.length - 1])) {
    const local = candidate.split('/');
    let common = 0;
    while (
      common < local.length &&
      common < segments.length &&
      equal(local[local.length - 1 - common], segments[segments.length - 1 - common])
    ) {
      common++;
    }
    if (common === 0) continue;
    const strong = common >= 2 || common === local.length;
    if (common > best) {
      best = common;
      bestCandidates = [candidate];
      weak = !strong;
    } else if (common === best) {
      bestCandidates.push(candidate);
      weak = weak && !strong;
    }
  }
  if (bestCandidates.length === 0) return { kind: 'none' };
  const suffix = segments.slice(segments.length - best).join('/');
  if (bestCandidates.length === 1 && !weak) return { kind: 'mapped', relativePath: bestCandidates[0] };
  if (weak && !app) return { kind: 'none' };
  return { kind: 'ambiguous', candidates: bestCandidates.sort().slice(0, MAX_CANDIDATES), suffix };
}

function sourceMappingUrl(code: string): string | null {
  const tail = code.slice(-8192);
  const at = tail.lastIndexOf('sourceMappingURL=');
  if (at < 0) return null;
  const start = at + 17;
  let end = start;
  while (end < tail.length && !/\s/.test(tail[end]) && tail[end] !== '*') end++;
  return end > start ? tail.slice(start, end) : null;
}

/** Where a source map's `sources` entry lives on disk (webpack:// and file:// URLs included). */
function resolveSourcePath(mapFile: string, sourceRoot: string, source: string): string {
  let s = sourceRoot && !/^[a-z]+:\/\//i.test(source) ? `${sourceRoot.replace(/\/+$/, '')}/${source}` : source;
  if (s.startsWith('webpack://')) {
    const rest = s.slice(10);
    s = rest.slice(rest.indexOf('/') + 1);
  }
  s = normalizeFileText(s);
  if (isAbsoluteAnywhere(s.replace(/\\/g, '/'))) return s;
  return path.resolve(path.dirname(mapFile), s);
}

/**
 * The rule that would have mapped `remoteFile` to the chosen workspace file: what a pick from an
 * ambiguous match offers to save. The common trailing segments are cut from both sides.
 */
export function suggestRule(remoteFile: string, localFile: string, host?: string): PathMappingRule {
  const remote = parseRemote(remoteFile);
  const local = localFile.replace(/\\/g, '/').split('/');
  let common = 0;
  while (
    common < local.length &&
    common < remote.segments.length &&
    local[local.length - 1 - common] === remote.segments[remote.segments.length - 1 - common]
  ) {
    common++;
  }
  const remoteParts = remote.path.split('/');
  const remoteRoot = remoteParts.slice(0, remoteParts.length - common).join('/') || '/';
  const localRoot = local.slice(0, local.length - common).join('/') || '.';
  return host === undefined ? { remoteRoot, localRoot } : { remoteRoot, localRoot, host };
}
