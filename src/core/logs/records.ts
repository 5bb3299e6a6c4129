// Reads the follower script's record stream (see script.ts): header lines, then exact byte
// counts for D and C records, or grep output lines up to `.` for G.

export type RecordMode = 'data' | 'copy' | 'verify';

export interface RecordHandler {
  /** A header line split on spaces. For D, C and V, `bytes` calls for its payload follow. */
  record(fields: string[]): void;
  /** Payload bytes of the current D, C or V record; `last` on its final piece. */
  bytes(mode: RecordMode, chunk: Buffer, last: boolean): void;
  /** One matching line of a G record (its `NUM:` prefix removed). */
  grepLine(line: Buffer, droppedBytes: number): void;
  /** The end of a G record: its lines are confirmed. */
  grepEnd(): void;
}

const maxHeaderBytes = 4096;

export class RecordReader {
  private mode: 'header' | 'grep' | RecordMode = 'header';
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
      if (this.mode !== 'header' && this.mode !== 'grep') {
        const take = Math.min(this.remaining, chunk.length - pos);
        const mode = this.mode;
        this.remaining -= take;
        if (this.remaining === 0) this.mode = 'header';
        this.handler.bytes(mode, chunk.subarray(pos, pos + take), this.remaining === 0);
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
    if (dropped > 0 || !/^[A-Z.]( [!-~]+)*$/.test(text)) throw new ProtocolError(`unexpected output from the follower script: ${JSON.stringify(text.slice(0, 120))}`);
    const fields = text.split(' ');
    this.handler.record(fields);
    const payload = { D: 'data', C: 'copy', V: 'verify' } as const;
    const mode = payload[fields[0] as keyof typeof payload];
    if (mode) {
      const n = Number(fields[3]);
      if (!Number.isSafeInteger(n) || n < 0) throw new ProtocolError(`bad record length: ${text}`);
      if (n > 0) {
        this.mode = mode;
        this.remaining = n;
      }
    } else if (fields[0] === 'G') {
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

export class ProtocolError extends Error {}
