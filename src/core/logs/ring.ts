// The lines kept for "Open in editor" / "Save excerpt": a ring that drops its oldest lines when
// either cap is exceeded, so a host cannot make it grow without bound. It hands lines out with
// control characters made visible, ready for a document.
import { makeVisible } from './lines';

export interface RingCaps {
  /** Default 10 000 lines. */
  maxLines?: number;
  /** Default 8 MiB, counting each line as 2 bytes per UTF-16 code unit (what the string holds). */
  maxBytes?: number;
}

export class LineRing {
  readonly maxLines: number;
  readonly maxBytes: number;
  private slots: (string | undefined)[];
  private head = 0; // index of the oldest line
  private count = 0;
  private heldBytes = 0;
  /** Lines pushed out by newer ones since creation. */
  evicted = 0;

  constructor(caps: RingCaps = {}) {
    this.maxLines = caps.maxLines ?? 10_000;
    this.maxBytes = caps.maxBytes ?? 8 * 1024 * 1024;
    this.slots = new Array<string | undefined>(this.maxLines);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  push(line: string): void {
    const cost = line.length * 2;
    if (cost > this.maxBytes) return; // cannot happen with the line cap below the byte cap
    while (this.count > 0 && (this.count === this.maxLines || this.heldBytes + cost > this.maxBytes)) this.dropOldest();
    this.slots[(this.head + this.count) % this.maxLines] = line;
    this.count++;
    this.heldBytes += cost;
  }

  /** The newest `n` lines (all by default), oldest first, control characters made visible. */
  lines(n = this.count): string[] {
    const take = Math.min(n, this.count);
    const out: string[] = [];
    for (let i = this.count - take; i < this.count; i++) out.push(makeVisible(this.slots[(this.head + i) % this.maxLines] as string));
    return out;
  }

  clear(): void {
    this.slots = new Array<string | undefined>(this.maxLines);
    this.head = 0;
    this.count = 0;
    this.heldBytes = 0;
  }

  private dropOldest(): void {
    const line = this.slots[this.head] as string;
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.maxLines;
    this.count--;
    this.heldBytes -= line.length * 2;
    this.evicted++;
  }
}
