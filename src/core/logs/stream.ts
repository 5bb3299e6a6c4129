// Where a follower stands in its log and what the script's records mean for it: the file being
// read (inode), the offset after the last complete line, the last bytes before it (so the host
// can find the file after a rotation, docs/architecture.md "Logs"), and the lines and notices the
// records make. Channels, reconnects and timers are the follower's (follower.ts).
import { LineAssembler, lineText } from './lines';
import { ProtocolError, type FollowRecord, type OpenReason, type PayloadKind, type RecordHandler } from './records';

export type NoticeKind = 'rotated' | 'truncated' | 'created' | 'missing' | 'lost' | 'short' | 'reconnecting' | 'resumed' | 'hostFilterOff';

export interface FollowerNotice {
  kind: NoticeKind;
  /** One sentence for the user, naming host and file where it helps; control characters made visible. */
  message: string;
}

/** The file being followed (inode, '' while it does not exist) and the offset after the last line shown. */
export interface FollowerPosition {
  inode: string;
  offset: number;
  /** The last bytes before `offset` (up to 256): the host finds the file by them after a rotation. */
  tail: Buffer;
  /** The inode the path had when last read, when `inode` is a rotated file being drained. */
  live?: string;
}

/** What the records ask of the follower. */
export interface StreamListener {
  /** The script opened a file and reads it from `offset`. */
  opened(reason: OpenReason, offset: number): void;
  notice(kind: NoticeKind, message: string): void;
  /** The log was rotated: `how` for the event, the message for the user. */
  rotated(how: 'renamed' | 'truncated' | 'created', message: string): void;
  /** Bytes that no file holds any more were passed over (an event; the notice, if any, is separate). */
  skipped(message: string): void;
  /** The file is missing; the script waits for it. */
  missing(message: string): void;
  /** The file shrank under the script: restart at the last complete line. */
  restart(): void;
  /** Following cannot go on. */
  fail(message: string): void;
}

const tailBytes = 256;

export class FollowStream {
  private readonly assembler: LineAssembler;
  /** The file's inode ('' for none yet, `z` for a compressed rotated file). */
  private inode = '';
  /** The inode of the path itself when it was last opened (rotated files drained since are not it). */
  private live = '';
  private opened = false;
  /** Up to 256 bytes of the file ending at `assembler.received`. */
  private recent: Buffer = Buffer.alloc(0);
  private batch: string[] = [];
  private grepLines: string[] = [];
  /** Where the grep record being read ends. */
  private grepEnd = 0;
  /** A rotated copy of the file was read since the file itself was last opened. */
  private copyRead = false;
  /** The tail record being read: what we knew before it, and its bytes so far. */
  private tailCheck: { known: Buffer; seen: Buffer[]; left: number } | undefined;

  constructor(
    private readonly where: string,
    private readonly host: string,
    private readonly maxLineBytes: number,
    resumeFrom: FollowerPosition | undefined,
  ) {
    this.assembler = new LineAssembler(maxLineBytes);
    if (resumeFrom) {
      this.inode = resumeFrom.inode;
      this.live = resumeFrom.live ?? resumeFrom.inode;
      this.opened = true;
      this.assembler.reset(resumeFrom.offset);
      this.recent = resumeFrom.tail;
    }
  }

  /** Where following stands; undefined until the host has said which file it reads. */
  get position(): FollowerPosition | undefined {
    return this.opened ? { inode: this.inode, offset: this.assembler.committed, tail: this.committedRecent(), live: this.live } : undefined;
  }

  /** Restarts at the last complete line (a partial line is read again); forgets the channel's records. */
  beginChannel(): void {
    this.recent = this.committedRecent();
    this.assembler.reset(this.assembler.committed);
    this.batch = [];
    this.grepLines = [];
    this.tailCheck = undefined;
  }

  /** The lines completed since the last call. */
  takeLines(): string[] {
    const lines = this.batch;
    this.batch = [];
    return lines;
  }

  handler(listener: StreamListener): RecordHandler {
    return {
      record: (record) => this.onRecord(record, listener),
      bytes: (kind: PayloadKind, chunk) => {
        if (kind === 'data') {
          this.remember(chunk);
          this.assembler.push(chunk, this.batch);
        } else {
          this.onTailBytes(chunk, listener);
        }
      },
      grepLine: (line, dropped) => this.grepLines.push(lineText(line, dropped, this.maxLineBytes)),
      grepEnd: () => {
        // Only now are these lines shown and their bytes passed: a drop mid-record repeats none.
        this.assembler.reset(this.grepEnd);
        // The host's grep passed bytes we never saw: a tail record brings the ones before the offset.
        this.recent = Buffer.alloc(0);
        this.batch.push(...this.grepLines);
        this.grepLines = [];
      },
    };
  }

  private onRecord(record: FollowRecord, listener: StreamListener): void {
    switch (record.kind) {
      case 'open':
        return this.onOpen(record.reason, record.file, record.offset, listener);
      case 'data':
      case 'grep':
        this.inStep(record.file, record.offset, `${record.kind} ${record.offset}+${record.length}`);
        if (record.kind === 'grep') this.grepEnd = record.offset + record.length;
        return;
      case 'tail':
        this.inStep(record.file, record.offset + record.length, `tail ${record.offset}+${record.length}`);
        this.tailCheck = { known: this.recent, seen: [], left: record.length };
        return;
      case 'shrunk':
        // The file shrank under us: restart at the last complete line, the script takes it from there.
        return listener.restart();
      case 'lost': {
        const message = `${this.where} was rotated while the connection was down and no file holds the rest of the old one any more; lines after byte ${record.offset} of it are missing`;
        listener.notice('lost', message);
        return listener.skipped(message);
      }
      case 'short':
        return listener.notice(
          'short',
          `${this.where} has only ${record.lines.toLocaleString('en-US')} line${record.lines === 1 ? '' : 's'}; following from its end`,
        );
      case 'missing':
        this.inode = '';
        this.live = '';
        this.opened = true;
        this.assembler.reset(0);
        this.recent = Buffer.alloc(0);
        return listener.missing(`${this.where} does not exist (any more); waiting for it to appear`);
      case 'noHostFilter':
        return listener.notice('hostFilterOff', `${this.host}: grep rejected the filter; filtering locally instead`);
      case 'unreadable':
        return listener.fail(
          record.why === 'notfile'
            ? `${this.where} is not a file; choose a log file instead`
            : record.why === 'special'
              ? `${this.where} is not a regular file (a device, FIFO or socket, or a /proc or /sys file whose size says nothing); choose a log file instead`
              : `${this.where}: permission denied; the ssh user cannot read this file (ask for read access, e.g. membership of its group, or choose another file)`,
        );
      case 'heartbeat':
        return;
    }
  }

  private onOpen(reason: OpenReason, file: string, offset: number, listener: StreamListener): void {
    const first = !this.opened;
    this.inode = file;
    if (reason !== 'drain' && reason !== 'copy' && reason !== 'next') this.live = file;
    this.opened = true;
    this.assembler.reset(offset);
    // Resuming the same bytes keeps what was read last; a tail record follows any other open past byte 0.
    if (reason !== 'resume') this.recent = Buffer.alloc(0);
    listener.opened(reason, offset);
    switch (reason) {
      case 'copy':
        this.copyRead = true;
        return;
      case 'next':
        return listener.rotated(
          'renamed',
          `${this.where} was rotated more than once meanwhile; reading the next rotated file from its start`,
        );
      case 'rotated':
        this.copyRead = false;
        return listener.rotated('renamed', `${this.where} was rotated; following the new file from its start`);
      case 'truncated': {
        const fromCopy = this.copyRead;
        this.copyRead = false;
        if (fromCopy)
          return listener.rotated(
            'truncated',
            `${this.where} was truncated (copytruncate); read the rest from its rotated copy, following it from its start`,
          );
        listener.rotated(
          'truncated',
          `${this.where} was truncated and no rotated copy was found; lines written just before that may be missing`,
        );
        return listener.skipped(`${this.where} was truncated and no rotated copy holds the lines after byte ${offset} of the old content`);
      }
      case 'created':
        if (!first) listener.rotated('created', `${this.where} appeared; following it from its start`);
        return;
      default:
        return;
    }
  }

  /**
   * The bytes of a tail record: those we read there already must be the same (else the file was
   * truncated and refilled past our offset: the restart finds its rotated copy); the others are
   * learnt.
   */
  private onTailBytes(chunk: Buffer, listener: StreamListener): void {
    const check = this.tailCheck;
    if (!check) return;
    check.seen.push(Buffer.from(chunk));
    check.left -= chunk.length;
    if (check.left > 0) return;
    this.tailCheck = undefined;
    const bytes = Buffer.concat(check.seen);
    const overlap = Math.min(bytes.length, check.known.length);
    if (!bytes.subarray(bytes.length - overlap).equals(check.known.subarray(check.known.length - overlap))) return listener.restart();
    if (bytes.length > check.known.length) this.recent = bytes;
  }

  /** A data, grep or tail record must continue the file and offset we are at. */
  private inStep(file: string, offset: number, what: string): void {
    if (file !== this.inode || offset !== this.assembler.received) {
      throw new ProtocolError(`follower out of step: ${what} of ${file} at ${this.inode}:${this.assembler.received}`);
    }
  }

  /** The remembered bytes up to the committed offset (a partial line after it will be read again). */
  private committedRecent(): Buffer {
    const extra = this.assembler.received - this.assembler.committed;
    return extra === 0 ? this.recent : extra >= this.recent.length ? Buffer.alloc(0) : this.recent.subarray(0, this.recent.length - extra);
  }

  private remember(chunk: Buffer): void {
    const tail = chunk.length >= tailBytes ? chunk.subarray(chunk.length - tailBytes) : chunk;
    this.recent = Buffer.concat([this.recent, tail]);
    if (this.recent.length > tailBytes) this.recent = Buffer.from(this.recent.subarray(this.recent.length - tailBytes));
  }
}
