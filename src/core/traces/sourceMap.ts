// Source map v3 reading: a base64 VLQ decoder and generated → original position lookup.

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_VALUE[BASE64.charCodeAt(i)] = i;

/**
 * Decodes the VLQ fields of one segment (`AAgBC`) into `out`, returning the number of fields.
 * Throws on characters outside base64 or a value cut off mid-way.
 */
export function decodeVlqSegment(segment: string, out: number[]): number {
  out.length = 0;
  let value = 0;
  let shift = 0;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    const digit = code < 128 ? BASE64_VALUE[code] : -1;
    if (digit < 0) throw new Error(`invalid base64 VLQ character ${JSON.stringify(segment[i])}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      if (shift > 30) throw new Error('VLQ value too large');
      continue;
    }
    // The lowest bit is the sign.
    out.push(value % 2 === 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
    value = 0;
    shift = 0;
  }
  if (shift !== 0) throw new Error('VLQ value cut off');
  return out.length;
}

export interface OriginalPosition {
  source: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export class SourceMap {
  private constructor(
    readonly sources: string[],
    readonly sourceRoot: string,
    /** Per generated line: [generatedColumn, sourceIndex, originalLine, originalColumn]* (0-based). */
    private readonly lines: Int32Array[],
  ) {}

  /** Parses a source map's JSON text; throws when it is not a v3 map. */
  static parse(json: string): SourceMap {
    const raw = JSON.parse(json) as { version?: unknown; sources?: unknown; sourceRoot?: unknown; mappings?: unknown };
    if (raw.version !== 3 || !Array.isArray(raw.sources) || typeof raw.mappings !== 'string') {
      throw new Error('not a version 3 source map with sources and mappings');
    }
    const sources = raw.sources.map((s) => (typeof s === 'string' ? s : ''));
    return new SourceMap(sources, typeof raw.sourceRoot === 'string' ? raw.sourceRoot : '', decodeMappings(raw.mappings));
  }

  /** The original position of a generated 1-based line and column, or null when unmapped. */
  originalPositionFor(line: number, column: number): OriginalPosition | null {
    const segments = this.lines[line - 1];
    if (!segments || segments.length === 0) return null;
    const target = column - 1;
    // Last segment starting at or before the column; the line's first one when the column precedes all.
    let lo = 0;
    let hi = segments.length / 4 - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segments[mid * 4] <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const source = this.sources[segments[found * 4 + 1]];
    if (source === undefined) return null;
    return { source, line: segments[found * 4 + 2] + 1, column: segments[found * 4 + 3] + 1 };
  }
}

function decodeMappings(mappings: string): Int32Array[] {
  const lines: Int32Array[] = [];
  const fields: number[] = [];
  let sourceIndex = 0;
  let originalLine = 0;
  let originalColumn = 0;
  for (const lineText of mappings.split(';')) {
    let generatedColumn = 0;
    const segments: number[] = [];
    if (lineText.length > 0) {
      for (const segment of lineText.split(',')) {
        if (segment.length === 0) continue;
        const count = decodeVlqSegment(segment, fields);
        generatedColumn += fields[0];
        if (count < 4) continue;
        sourceIndex += fields[1];
        originalLine += fields[2];
        originalColumn += fields[3];
        segments.push(generatedColumn, sourceIndex, originalLine, originalColumn);
      }
    }
    lines.push(Int32Array.from(isSortedByColumn(segments) ? segments : sortByColumn(segments)));
  }
  return lines;
}

function isSortedByColumn(segments: number[]): boolean {
  for (let i = 4; i < segments.length; i += 4) if (segments[i] < segments[i - 4]) return false;
  return true;
}

/** Generators should emit segments by column; some do not, and the lookup relies on the order. */
function sortByColumn(segments: number[]): number[] {
  const quads: number[][] = [];
  for (let i = 0; i < segments.length; i += 4) quads.push(segments.slice(i, i + 4));
  quads.sort((a, b) => a[0] - b[0]);
  return quads.flat();
}
