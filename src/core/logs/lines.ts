// Bytes to lines: split on LF, hold a partial line until its LF arrives, decode UTF-8 (invalid
// bytes become U+FFFD) and cut lines over a cap with a visible marker. Control characters are
// made visible by makeVisible where a line is shown (terminal feed, CLI, the ring's lines()),
// not here: a burst of a million lines mostly goes to the buffer unseen, and scanning every byte
// for control characters would cost a third of the follower's time.

/** Appended to a line cut at the cap; the count is of the bytes not shown. */
function cutMarker(droppedBytes: number): string {
  return ` … [line cut: ${droppedBytes} more bytes]`;
}

// SGR colour sequences are presentation the log's writer added; we colour levels ourselves.
const sgr = /\x1b\[[0-9;:]*m/g;
const controls = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
const anyControl = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

/**
 * C0 controls and DEL become their Unicode control pictures (ESC shows as ␛), C1 controls become
 * U+FFFD; tabs stay. A trailing CR (CRLF logs) is dropped.
 */
export function makeVisible(text: string): string {
  let line = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (!anyControl.test(line)) return line;
  line = line.replace(sgr, '');
  return line.replace(controls, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '\ufffd';
  });
}

/** The end of the longest prefix of `buf[0, end)` that does not stop inside a UTF-8 sequence. */
function utf8Boundary(buf: Buffer, end: number): number {
  let lead = end - 1;
  while (lead > 0 && end - lead < 4 && (buf[lead] & 0xc0) === 0x80) lead--; // continuation bytes
  if (lead < 0) return end;
  const b = buf[lead];
  const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return lead + length > end ? lead : end;
}

/** The display text of one line's bytes, of which `droppedBytes` more were not kept. */
export function lineText(line: Buffer, droppedBytes: number, maxLineBytes: number): string {
  if (droppedBytes === 0 && line.length <= maxLineBytes) return line.toString('utf8');
  const cut = utf8Boundary(line, Math.min(line.length, maxLineBytes));
  return line.toString('utf8', 0, cut) + cutMarker(droppedBytes + line.length - cut);
}

/**
 * Splits a byte stream into lines (as decoded, control characters and all). Every line handed out ended with LF in the input: bytes
 * without a LF after them are never shown (the follower relies on this when a read raced a
 * truncation). Offsets are byte positions in the file.
 */
export class LineAssembler {
  /** Bytes of the line in progress, at most `maxLineBytes`. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Bytes of the line in progress beyond the cap, dropped. */
  private dropped = 0;
  /** File offset just after the last LF seen. */
  private lineEnd = 0;
  /** File offset of the next byte expected. */
  private position = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Forgets any partial line and expects the next byte at `offset`. */
  reset(offset: number): void {
    this.partial = [];
    this.partialBytes = 0;
    this.dropped = 0;
    this.lineEnd = offset;
    this.position = offset;
  }

  /** Offset just after the last complete line: where a restart must resume. */
  get committed(): number {
    return this.lineEnd;
  }

  /** Offset of the next byte expected. */
  get received(): number {
    return this.position;
  }

  /** Appends the complete lines in `chunk` to `out`. */
  push(chunk: Buffer, out: string[]): void {
    const end = chunk.length;
    let start = 0;
    if (this.partialBytes > 0 || this.dropped > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.hold(chunk, 0, end);
        this.position += end;
        return;
      }
      this.hold(chunk, 0, nl);
      out.push(lineText(Buffer.concat(this.partial, this.partialBytes), this.dropped, this.maxLineBytes));
      this.partial = [];
      this.partialBytes = 0;
      this.dropped = 0;
      start = nl + 1;
      this.lineEnd = this.position + start;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      this.completeLines(chunk, start, last, out);
      start = last + 1;
      this.lineEnd = this.position + start;
    }
    if (start < end) this.hold(chunk, start, end);
    this.position += end;
  }

  /** The lines of `chunk[start, last)`, where `last` is a LF and every line in it ends with one. */
  private completeLines(chunk: Buffer, start: number, last: number, out: string[]): void {
    // One decode and split for the whole run is several times faster than one per line.
    const text = chunk.toString('utf8', start, last);
    const lines = text.split('\n');
    // A line of n UTF-16 units holds at most 3n bytes; only longer-looking ones need a byte count.
    const limit = this.maxLineBytes / 3;
    if (lines.some((line) => line.length > limit && Buffer.byteLength(line) > this.maxLineBytes)) {
      this.lineByLine(chunk, start, last, out);
      return;
    }
    for (const line of lines) out.push(line);
  }

  private lineByLine(chunk: Buffer, start: number, last: number, out: string[]): void {
    while (start <= last) {
      const nl = chunk.indexOf(10, start);
      out.push(lineText(chunk.subarray(start, nl), 0, this.maxLineBytes));
      start = nl + 1;
    }
  }

  private hold(chunk: Buffer, start: number, end: number): void {
    const room = this.maxLineBytes - this.partialBytes;
    const take = Math.min(room, end - start);
    if (take > 0) {
      // Copy: the chunk's memory is reused by the stream.
      this.partial.push(Buffer.from(chunk.subarray(start, start + take)));
      this.partialBytes += take;
    }
    this.dropped += end - start - take;
  }
}
