// Native frames (eu-stack, gdb) in the traces frame shape. Whether a frame is the application's
// is decided by the module it runs in: the C library, the loader, language runtimes and anything
// under the system library directories are not (docs/architecture.md, "Snapshots").
import { isApplicationFrame } from '../traces/classify';
import { stripControl } from '../util/text';
import type { SnapshotFrame } from './types';

/** Module names of runtimes and system libraries, wherever they are installed. */
const RUNTIME_MODULE =
  /^(?:ld-linux|ld-musl|libc[.-]|libpthread|libstdc\+\+|libgcc_s|libm\.|libdl|librt|libpython|python\d|node$|nodejs$|libnode|java$|libjvm|\[vdso)/;
const SYSTEM_DIRECTORY = /^\/(?:usr\/)?lib(?:64|32|x32)?\//;

export function isApplicationModule(module: string): boolean {
  const name = module.split('/').pop() ?? module;
  return !RUNTIME_MODULE.test(name) && !SYSTEM_DIRECTORY.test(module);
}

export interface NativeFrameParts {
  function: string | null;
  address?: number;
  /** Source file and line from the debug info, when it has them. */
  source?: { file: string; line: number | null };
  /** The ELF module the frame's code is in. */
  module?: string;
}

export function nativeFrame(parts: NativeFrameParts): SnapshotFrame {
  const fn = parts.function ? stripControl(parts.function) : parts.address !== undefined ? `0x${parts.address.toString(16)}` : '??';
  const file = parts.source ? stripControl(parts.source.file) : parts.module ? stripControl(parts.module) : null;
  const app = parts.module !== undefined ? isApplicationModule(parts.module) : isApplicationFrame('native', file, fn);
  return { function: fn, file, line: parts.source?.line ?? null, column: null, app, local: null };
}

export interface ModuleRange {
  start: number;
  end: number;
  path: string;
}

/** The executable mappings of /proc/PID/maps that name a file: where each module's code is. */
export function parseExecutableMappings(maps: string): ModuleRange[] {
  const ranges: ModuleRange[] = [];
  for (const line of maps.split('\n')) {
    const match = /^([0-9a-f]+)-([0-9a-f]+) r-xp \S+ \S+ \d+\s+(\/.*)$/.exec(line);
    if (match) ranges.push({ start: parseInt(match[1], 16), end: parseInt(match[2], 16), path: match[3].replace(/ \(deleted\)$/, '') });
  }
  return ranges;
}

export function moduleAt(ranges: ModuleRange[], address: number): string | undefined {
  return ranges.find((range) => address >= range.start && address < range.end)?.path;
}
