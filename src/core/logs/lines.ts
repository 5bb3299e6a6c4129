// Bytes to display lines: split on LF, hold a partial line until its LF arrives, decode UTF-8
// (invalid bytes become U+FFFD), cut lines over a cap with a visible marker, and make control
// characters visible so host data cannot drive the terminal.

/** Appended to a line cut at the cap; the count is of the bytes not shown. */
export function cutMarker(droppedBytes: number): string {
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

/** The end of the longest prefix of `buf[start, end)` that does not stop inside a UTF-8 sequence. */
function utf8Boundary(buf: Buffer, start: number, end: number): number {
  let lead = end - 1;
  while (lead > start && end - lead < 4 && (buf[lead] & 0xc0) === 0x80) lead--; // continuation bytes
  if (lead < start) return end;
  const b = buf[lead];
  const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return lead + length > end ? lead : end;
}

/** The display text of one line's bytes, of which `droppedBytes` more were not kept. */
export function lineText(line: Buffer, droppedBytes: number, maxLineBytes: number): string {
  if (droppedBytes === 0 && line.length <= maxLineBytes) return makeVisible(line.toString('utf8'));
  const cut = utf8Boundary(line, 0, Math.min(line.length, maxLineBytes));
  return makeVisible(line.toString('utf8', 0, cut)) + cutMarker(droppedBytes + line.length - cut);
}

/**
 * Splits a byte stream into lines. Every line handed out ended with LF in the input: bytes
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
    let start = 0;
    const end = chunk.length;
    while (start < end) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        this.hold(chunk, start, end);
        break;
      }
      if (this.partialBytes === 0 && this.dropped === 0) {
        if (nl - start <= this.maxLineBytes) out.push(makeVisible(chunk.toString('utf8', start, nl)));
        else {
          const cut = utf8Boundary(chunk, start, start + this.maxLineBytes);
          out.push(makeVisible(chunk.toString('utf8', start, cut)) + cutMarker(nl - cut));
        }
      } else {
        this.hold(chunk, start, nl);
        out.push(lineText(Buffer.concat(this.partial, this.partialBytes), this.dropped, this.maxLineBytes));
        this.partial = [];
        this.partialBytes = 0;
        this.dropped = 0;
      }
      this.lineEnd = this.position + nl + 1;
      start = nl + 1;
    }
    this.position += end;
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
