// A token-matched gdb/MI command queue over a byte stream: each command gets the next token, its
// result record (`^done`, `^running`, `^error`, …) settles that command's promise; async and stream
// records go to listeners. Transport-agnostic: the runtime feeds it the watchdog's channel
// (docs/architecture.md, "Debugging: gdb/MI and the watchdog").
import { EventEmitter } from '../../util/events';
import { miQuote, MiSyntaxError, parseMiLine, type MiRecord, type MiTuple } from './miParser';

/** gdb answered `^error`: `message` is gdb's own text. */
export class MiError extends Error {
  override readonly name = 'MiError';
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

export interface MiResult {
  resultClass: string;
  results: MiTuple;
}

export type MiAsyncRecord = Extract<MiRecord, { kind: 'exec' | 'status' | 'notify' }>;
export type MiStreamRecord = Extract<MiRecord, { kind: 'console' | 'target' | 'log' }>;

/** A line longer than this is dropped whole (a runaway value); MI records are one line each. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

interface Pending {
  command: string;
  resolve: (result: MiResult) => void;
  reject: (error: Error) => void;
}

export class MiSession {
  private nextToken = 1;
  private readonly pending = new Map<number, Pending>();
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private dropping = false;
  private closedWith: Error | undefined;
  private readonly asyncEmitter = new EventEmitter<MiAsyncRecord>();
  private readonly streamEmitter = new EventEmitter<MiStreamRecord>();
  private readonly problemEmitter = new EventEmitter<string>();

  /** `*`, `+` and `=` records. */
  readonly onAsync = this.asyncEmitter.event;
  /** `~`, `@` and `&` records. */
  readonly onStream = this.streamEmitter.event;
  /** A line that could not be used (not MI, malformed, too long), for the log. */
  readonly onProblem = this.problemEmitter.event;

  constructor(private readonly write: (text: string) => void) {}

  /**
   * Sends `operation` (e.g. `-break-insert`), then `options` (`--thread`, `2`, `-c`, `x > 1`), then
   * `args`, each word quoted as needed; resolves with the result record, rejects with MiError on
   * `^error`.
   */
  send(operation: string, args: readonly string[] = [], options: readonly string[] = []): Promise<MiResult> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const token = this.nextToken++;
    const command = [operation, ...options.map(miQuote), ...args.map(miQuote)].join(' ');
    return new Promise<MiResult>((resolve, reject) => {
      this.pending.set(token, { command, resolve, reject });
      try {
        this.write(`${token}${command}\n`);
      } catch (error) {
        this.pending.delete(token);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Feeds bytes from gdb's stdout. */
  feed(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      this.takePart(chunk.subarray(start, newline));
      if (!this.dropping) this.handleLineSafely(Buffer.concat(this.partial).toString('utf8'));
      this.partial = [];
      this.partialBytes = 0;
      this.dropping = false;
      start = newline + 1;
    }
    this.takePart(chunk.subarray(start));
  }

  /** Rejects every command waiting and every later one with `error`. */
  close(error: Error): void {
    if (this.closedWith) return;
    this.closedWith = error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.asyncEmitter.dispose();
    this.streamEmitter.dispose();
    this.problemEmitter.dispose();
  }

  private takePart(part: Buffer): void {
    if (this.dropping || part.length === 0) return;
    if (this.partialBytes + part.length > MAX_LINE_BYTES) {
      this.problemEmitter.fire(`dropped a gdb output line longer than ${MAX_LINE_BYTES} bytes`);
      this.dropping = true;
      this.partial = [];
      this.partialBytes = 0;
      return;
    }
    this.partial.push(Buffer.from(part));
    this.partialBytes += part.length;
  }

  /** A listener that throws must not cost the lines after it (they carry the detach). */
  private handleLineSafely(line: string): void {
    try {
      this.handleLine(line);
    } catch (error) {
      try {
        this.problemEmitter.fire(`a listener failed on a gdb record: ${error instanceof Error ? error.message : String(error)}`);
      } catch {
        // Nothing left to tell.
      }
    }
  }

  private handleLine(line: string): void {
    let record: MiRecord;
    try {
      record = parseMiLine(line);
    } catch (error) {
      if (!(error instanceof MiSyntaxError)) throw error;
      this.problemEmitter.fire(error.message);
      return;
    }
    switch (record.kind) {
      case 'result':
        this.settle(record);
        return;
      case 'exec':
      case 'status':
      case 'notify':
        this.asyncEmitter.fire(record);
        return;
      case 'console':
      case 'target':
      case 'log':
        this.streamEmitter.fire(record);
        return;
      case 'prompt':
        return;
      case 'other':
        if (record.text.trim()) this.problemEmitter.fire(`not MI: ${record.text}`);
        return;
    }
  }

  private settle(record: Extract<MiRecord, { kind: 'result' }>): void {
    if (record.token === undefined) return;
    const pending = this.pending.get(record.token);
    if (!pending) return;
    this.pending.delete(record.token);
    if (record.resultClass === 'error') {
      const message = typeof record.results.msg === 'string' ? record.results.msg : 'gdb reported an error';
      pending.reject(new MiError(message, pending.command));
    } else pending.resolve({ resultClass: record.resultClass, results: record.results });
  }
}
