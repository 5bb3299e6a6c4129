// Decodes the follower script's record stream (script.ts lists the records) into typed records:
// header lines are checked and their numbers parsed here, so the rest of the follower never sees
// a string field; D and B payloads are passed on by exact byte count, G's grep lines up to `.`.

/** Why the script opened a file: see script.ts. */
export type OpenReason = 'start' | 'resume' | 'created' | 'drain' | 'copy' | 'next' | 'rotated' | 'truncated';

/** A file on the host: its inode, or `z` for a compressed rotated file read whole. */
export type FileId = string;

export type FollowRecord =
  | { kind: 'open'; reason: OpenReason; file: FileId; size: number; offset: number }
  | { kind: 'data'; file: FileId; offset: number; length: number }
  | { kind: 'grep'; file: FileId; offset: number; length: number }
  | { kind: 'tail'; file: FileId; offset: number; length: number }
  | { kind: 'shrunk'; file: FileId; size: number; offset: number }
  | { kind: 'lost'; file: FileId; offset: number }
  | { kind: 'short'; lines: number }
  | { kind: 'missing' }
  | { kind: 'noHostFilter' }
  | { kind: 'unreadable'; why: 'denied' | 'notfile' | 'special' }
  | { kind: 'heartbeat' };

/** The records that carry raw bytes after their header. */
export type PayloadKind = 'data' | 'tail';

export interface RecordHandler {
  /** One record. For data and tail records, `bytes` calls for its payload follow. */
  record(record: FollowRecord): void;
  /** Payload bytes of the current data or tail record, in pieces. */
  bytes(kind: PayloadKind, chunk: Buffer): void;
  /** One matching line of a grep record (its `NUM:` prefix removed). */
  grepLine(line: Buffer, droppedBytes: number): void;
  /** The end of a grep record: its lines are confirmed. */
  grepEnd(): void;
}

export class ProtocolError extends Error {}

const maxHeaderBytes = 4096;
const openReasons = new Set<string>(['start', 'resume', 'created', 'drain', 'copy', 'next', 'rotated', 'truncated']);

function count(text: string, field: string | undefined): number {
  const n = Number(field);
  if (field === undefined || !/^\d+$/.test(field) || !Number.isSafeInteger(n))
    throw new ProtocolError(`bad number in a record from the follower script: ${text}`);
  return n;
}

function fileId(text: string, field: string | undefined): FileId {
  if (field === undefined || !/^(?:\d+|z)$/.test(field)) throw new ProtocolError(`bad file in a record from the follower script: ${text}`);
  return field;
}

/** One header line as a typed record; throws ProtocolError for anything else. */
export function parseRecord(text: string): FollowRecord {
  const [kind, a, b, c, d] = text.split(' ');
  const range = () => ({ file: fileId(text, a), offset: count(text, b), length: count(text, c) });
  switch (kind) {
    case 'O':
      if (!openReasons.has(a)) break;
      return { kind: 'open', reason: a as OpenReason, file: fileId(text, b), size: count(text, c), offset: count(text, d) };
    case 'D':
      return { kind: 'data', ...range() };
    case 'G':
      return { kind: 'grep', ...range() };
    case 'B':
      return { kind: 'tail', ...range() };
    case 'T':
      return { kind: 'shrunk', file: fileId(text, a), size: count(text, b), offset: count(text, c) };
    case 'L':
      return { kind: 'lost', file: fileId(text, a), offset: count(text, b) };
    case 'S':
      return { kind: 'short', lines: count(text, a) };
    case 'M':
      return { kind: 'missing' };
    case 'W':
      return { kind: 'noHostFilter' };
    case 'E':
      if (a === 'denied' || a === 'notfile' || a === 'special') return { kind: 'unreadable', why: a };
      break;
    case 'H':
      return { kind: 'heartbeat' };
  }
  throw new ProtocolError(`unknown record from the follower script: ${text}`);
}

export class RecordReader {
  private mode: 'header' | 'grep' | PayloadKind = 'header';
  private remaining = 0;
  private line: Buffer[] = [];
  private lineBytes = 0;
  private lineDropped = 0;
  private stopped = false;

  constructor(
    private readonly handler: RecordHandler,
    private readonly maxLineBytes: number,
  ) {}

  /** Ignores everything from now on (the channel is being replaced). */
  stop(): void {
    this.stopped = true;
  }

  feed(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && !this.stopped) {
      if (this.mode === 'data' || this.mode === 'tail') {
        const take = Math.min(this.remaining, chunk.length - pos);
        const mode = this.mode;
        this.remaining -= take;
        if (this.remaining === 0) this.mode = 'header';
        this.handler.bytes(mode, chunk.subarray(pos, pos + take));
        pos += take;
        continue;
      }
      const nl = chunk.indexOf(10, pos);
      const end = nl < 0 ? chunk.length : nl;
      this.collect(chunk, pos, end);
      if (nl < 0) return;
      pos = nl + 1;
      const line = Buffer.concat(this.line, this.lineBytes);
      const dropped = this.lineDropped;
      this.line = [];
      this.lineBytes = 0;
      this.lineDropped = 0;
      if (this.mode === 'header') this.header(line, dropped);
      else this.grepOutput(line, dropped);
    }
  }

  private collect(chunk: Buffer, start: number, end: number): void {
    const cap = this.mode === 'header' ? maxHeaderBytes : this.maxLineBytes + 24; // room for grep's NUM: prefix
    const take = Math.min(end - start, cap - this.lineBytes);
    if (take > 0) {
      this.line.push(Buffer.from(chunk.subarray(start, start + take)));
      this.lineBytes += take;
    }
    this.lineDropped += end - start - take;
  }

  private header(line: Buffer, dropped: number): void {
    const text = line.toString('latin1');
    if (dropped > 0 || !/^[A-Z.]( [!-~]+)*$/.test(text))
      throw new ProtocolError(`unexpected output from the follower script: ${JSON.stringify(text.slice(0, 120))}`);
    const record = parseRecord(text);
    this.handler.record(record);
    if ((record.kind === 'data' || record.kind === 'tail') && record.length > 0) {
      this.mode = record.kind;
      this.remaining = record.length;
    } else if (record.kind === 'grep') {
      this.mode = 'grep';
    }
  }

  private grepOutput(line: Buffer, dropped: number): void {
    if (line.length === 1 && line[0] === 0x2e) {
      this.mode = 'header';
      this.handler.grepEnd();
      return;
    }
    const colon = line.indexOf(0x3a);
    if (colon > 0 && colon < 20 && line.subarray(0, colon).every((b) => b >= 0x30 && b <= 0x39)) {
      this.handler.grepLine(line.subarray(colon + 1), dropped);
      return;
    }
    // A T record ends a G record early: the file shrank while grep read it.
    this.mode = 'header';
    this.header(line, dropped);
  }
}
