// Follows one log file on one host through one remote channel (the script in script.ts). It
// knows the file's identity (inode) and the byte offset after the last complete line it showed,
// so when the channel drops it starts the script again at exactly that point: no line lost,
// none shown twice. Rotation (rename+create, copytruncate) and a vanishing file are handled by
// the script, which tells the follower what happened in its records.
import { isSshError, isTransient } from '../ssh/errors';
import type { RemoteProcess, RemoteRunner } from '../ssh/remote';
import { EventEmitter, type Disposable, type Event } from '../util/events';
import { compileFilter, hostGrep, matchesFilter, type HostGrep, type LogFilter } from './filter';
import { LineAssembler, lineText } from './lines';
import { ProtocolError, RecordReader, type RecordHandler, type RecordMode } from './records';
import { LineRing, type RingCaps } from './ring';
import { followCommand } from './script';

export type FollowerState = 'connecting' | 'following' | 'waiting' | 'reconnecting' | 'stopped' | 'failed';

export type NoticeKind = 'rotated' | 'truncated' | 'created' | 'missing' | 'lost' | 'reconnecting' | 'resumed' | 'hostFilterOff';

export interface FollowerNotice {
  kind: NoticeKind;
  /** One sentence for the user, naming host and file where it helps. */
  message: string;
}

/** The file being followed (inode, '' while it does not exist) and the offset after the last line shown. */
export interface FollowerPosition {
  inode: string;
  offset: number;
  /** The last bytes before `offset` (up to 256): resuming checks the file still holds them there. */
  tail: Buffer;
}

export interface LogFollowerOptions {
  host: string;
  path: string;
  /** Returns the host's runner; called again for every restart (the pool may have reconnected). */
  connect: () => Promise<RemoteRunner>;
  /** Lines of existing content to show first (default 10). */
  startLines?: number;
  /** Show the whole file from its first byte instead (startLines is then ignored). */
  fromStart?: boolean;
  /** Go on where a follower of this file stopped (its `position`): nothing shown twice or skipped. */
  resumeFrom?: FollowerPosition;
  filter?: LogFilter;
  /** Apply a filter set at start on the host with grep when it can be translated (default true). */
  hostFilter?: boolean;
  /** Longer lines are cut with a marker (default 64 KiB). */
  maxLineBytes?: number;
  buffer?: RingCaps;
  /** How often the host checks the file for growth and rotation (default 0.25 s). */
  pollSeconds?: number;
  /** A channel silent this long (not paused) is taken as dead and replaced (default 15 s). */
  stallMs?: number;
  /** Reconnect delays double from `initialMs` up to `maxMs` (defaults 250 ms, 10 s). */
  backoff?: { initialMs?: number; maxMs?: number };
}

type ChannelEnd = 'restart' | 'dropped' | 'fatal';

interface Channel {
  proc: RemoteProcess;
  reader: RecordReader;
  end?: ChannelEnd;
  cause?: string;
  resolve: (end: ChannelEnd) => void;
}

/**
 * Compares the first bytes of a C or V payload (which start `overlap` bytes before our resume
 * offset) with the bytes we saw there. Bytes we never saw (we started later) are not compared.
 */
class TailCheck {
  private position: number;
  ok = true;

  constructor(
    private readonly known: Buffer,
    overlap: number,
  ) {
    this.position = known.length - overlap;
  }

  get done(): boolean {
    return this.position >= this.known.length;
  }

  /** Consumes the overlap part of `chunk`; returns how many bytes of it that was. */
  feed(chunk: Buffer): number {
    let pos = 0;
    while (pos < chunk.length && !this.done) {
      if (this.position >= 0 && chunk[pos] !== this.known[this.position]) this.ok = false;
      this.position++;
      pos++;
    }
    return pos;
  }
}

/** An SSH failure that retrying alone cannot cure: a cancelled or refused login, a host key to check. */
function needsTheUser(error: unknown): error is Error {
  return isSshError(error) && !isTransient(error);
}

/**
 * Why a channel ended without an exit status: the pool's reason for losing the connection when it
 * has one, else the error's own message without our command line (the whole script).
 */
function lostReason(error: Error, command: string): string {
  return error.cause instanceof Error ? error.cause.message : error.message.replace(command, 'the follower script');
}

const heartbeatSeconds = 2;
const verifyBytes = 256;

export class LogFollower implements Disposable {
  private readonly appendEmitter = new EventEmitter<string[]>();
  private readonly noticeEmitter = new EventEmitter<FollowerNotice>();
  private readonly stateEmitter = new EventEmitter<FollowerState>();
  /**
   * New lines, in file order, in batches, decoded but with the host's control characters still
   * in them: show them through colourLine or makeVisible. They are in `buffer` already.
   */
  readonly onDidAppend: Event<string[]> = this.appendEmitter.event;
  readonly onDidNotice: Event<FollowerNotice> = this.noticeEmitter.event;
  readonly onDidChangeState: Event<FollowerState> = this.stateEmitter.event;

  /** The lines shown so far, up to the ring's caps ("Open in editor"). */
  readonly buffer: LineRing;
  /** Resolves when following has ended: disposed, or failed (see `error`). */
  readonly done: Promise<void>;
  /** Why following failed, when state is 'failed'. */
  error: Error | undefined;

  private readonly maxLineBytes: number;
  private readonly assembler: LineAssembler;
  private currentState: FollowerState = 'connecting';
  private filterRe: RegExp | undefined;
  private hostFilter: HostGrep | undefined;
  private paused = false;
  private disposed = false;

  // Where we are: the file (inode, '' for none yet) and, in the assembler, the offsets.
  private inode = '';
  private opened = false;
  /** Up to 256 bytes of the file ending at `assembler.received`, to recognise a copytruncate copy. */
  private recent: Buffer = Buffer.alloc(0);

  // Per channel.
  private channel: Channel | undefined;
  private batch: string[] = [];
  private grepLines: string[] = [];
  private copy: TailCheck | undefined;
  private copyUsed = false;
  private verify: TailCheck | undefined;
  /** A V check failed: the next channel treats the file as truncated. */
  private truncatedSince = false;
  /** Where the G record being read ends. */
  private grepEnd = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: LogFollowerOptions) {
    this.maxLineBytes = options.maxLineBytes ?? 64 * 1024;
    this.assembler = new LineAssembler(this.maxLineBytes);
    this.buffer = new LineRing(options.buffer);
    if (options.resumeFrom) {
      this.inode = options.resumeFrom.inode;
      this.opened = true;
      this.assembler.reset(options.resumeFrom.offset);
      this.recent = options.resumeFrom.tail;
    }
    if (options.filter) this.applyFilter(options.filter);
    this.done = this.run();
  }

  get state(): FollowerState {
    return this.currentState;
  }

  /** The current filter as a global RegExp (for highlighting matches), if any. */
  get filterRegExp(): RegExp | undefined {
    return this.filterRe;
  }

  /** Where following stands, for `resumeFrom`; undefined until the host has said which file it reads. */
  get position(): FollowerPosition | undefined {
    return this.opened ? { inode: this.inode, offset: this.assembler.committed, tail: this.committedRecent() } : undefined;
  }

  /** Stops reading: the host waits (the channel's window fills), nothing is dropped. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.channel?.proc.stdout.pause();
    clearTimeout(this.stallTimer);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.channel?.proc.stdout.resume();
    this.armStall();
  }

  /**
   * Changes the filter (undefined for none) from the next line on. When the host's grep must
   * change too, the channel restarts at the last complete line, so nothing is lost or repeated.
   * Throws SyntaxError for an invalid regular expression.
   */
  setFilter(filter: LogFilter | undefined): void {
    const before = this.hostFilter;
    this.applyFilter(filter);
    if (JSON.stringify(before) !== JSON.stringify(this.hostFilter)) this.finishChannel('restart');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.finishChannel('fatal');
    this.wake?.();
    this.setState(this.currentState === 'failed' ? 'failed' : 'stopped');
    this.appendEmitter.dispose();
    this.noticeEmitter.dispose();
    this.stateEmitter.dispose();
  }

  private applyFilter(filter: LogFilter | undefined): void {
    this.filterRe = filter && filter.pattern !== '' ? compileFilter(filter) : undefined;
    this.hostFilter = filter && this.options.hostFilter !== false ? hostGrep(filter) : undefined;
  }

  private setState(state: FollowerState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateEmitter.fire(state);
  }

  private notice(kind: NoticeKind, message: string): void {
    this.noticeEmitter.fire({ kind, message });
  }

  private where(): string {
    return `${this.options.host}:${this.options.path}`;
  }

  private async run(): Promise<void> {
    const initialMs = this.options.backoff?.initialMs ?? 250;
    const maxMs = this.options.backoff?.maxMs ?? 10_000;
    let failures = 0;
    while (!this.disposed) {
      let end: ChannelEnd;
      let cause: string;
      let progressed = false;
      try {
        const runner = await this.options.connect();
        if (this.disposed) break;
        const result = await this.runChannel(runner);
        end = result.end;
        cause = result.cause;
        progressed = result.progressed;
      } catch (error) {
        if (needsTheUser(error)) {
          // Retrying would ask again or fail the same way: stop, the user retries when ready.
          this.fail(error);
          break;
        }
        end = 'dropped';
        cause = error instanceof Error ? error.message : String(error);
      }
      if (this.disposed || end === 'fatal') break;
      if (end === 'restart') continue;
      failures = progressed ? 1 : failures + 1;
      const delay = Math.min(maxMs, initialMs * 2 ** (failures - 1));
      this.setState('reconnecting');
      this.notice('reconnecting', `${this.where()}: ${cause.replace(/\.$/, '')}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    if (!this.disposed) this.dispose();
  }

  private async runChannel(runner: RemoteRunner): Promise<{ end: ChannelEnd; cause: string; progressed: boolean }> {
    const command = followCommand({
      path: this.options.path,
      inode: this.inode,
      offset: this.opened ? this.assembler.committed : this.options.fromStart ? 0 : undefined,
      lines: this.options.startLines ?? 10,
      grep: this.hostFilter,
      truncated: this.truncatedSince,
      pollSeconds: this.options.pollSeconds ?? 0.25,
      heartbeatPolls: Math.max(1, Math.round(heartbeatSeconds / (this.options.pollSeconds ?? 0.25))),
    });
    // Restart where the last complete line ended; a partial line is read again.
    this.trimRecent();
    this.assembler.reset(this.assembler.committed);
    this.batch = [];
    this.grepLines = [];
    this.copy = undefined;
    this.copyUsed = false;
    this.verify = undefined;
    const proc = await runner.spawn(command);
    if (this.disposed) {
      proc.close();
      return { end: 'fatal', cause: 'stopped', progressed: false };
    }
    let progressed = false;
    let stderr = '';
    let resolveEnd: (end: ChannelEnd) => void = () => undefined;
    const ended = new Promise<ChannelEnd>((resolve) => (resolveEnd = resolve));
    const reader = new RecordReader(this.recordHandler(() => (progressed = true)), this.maxLineBytes);
    const channel: Channel = { proc, reader, resolve: (end) => resolveEnd(end) };
    this.channel = channel;
    proc.stdout.on('data', (chunk: Buffer) => {
      if (channel.end) return;
      this.armStall();
      try {
        reader.feed(chunk);
      } catch (error) {
        this.finishChannel('dropped', error instanceof ProtocolError ? error.message : String(error), channel);
      }
      this.flush();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    const stdoutDone = new Promise<void>((resolve) => {
      proc.stdout.once('end', resolve);
      proc.stdout.once('close', resolve);
      proc.stdout.once('error', () => resolve());
    });
    void proc.exit.then(async ({ exitCode, signal, error }) => {
      // Take what the channel still holds before deciding (unless paused: then it stays unread).
      if (!this.paused) await Promise.race([stdoutDone, new Promise((r) => setTimeout(r, 1000))]);
      if (channel.end) return;
      if (exitCode === 126 || exitCode === 127) {
        this.fail(`${this.where()}: the host could not run the follower script (${stderr.trim() || `exit code ${exitCode}`})`);
        return;
      }
      const reason = stderr.trim() || (error && lostReason(error, command)) || (signal ? `channel closed (${signal})` : `channel closed (exit code ${exitCode})`);
      this.finishChannel('dropped', reason, channel);
    });
    if (!this.paused) this.armStall();
    else proc.stdout.pause();
    const end = await ended;
    clearTimeout(this.stallTimer);
    this.channel = undefined;
    return { end, cause: channel.cause ?? 'connection lost', progressed };
  }

  /** Ends a channel (the current one by default); its runChannel then returns `end`. */
  private finishChannel(end: ChannelEnd, cause?: string, channel = this.channel): void {
    if (!channel || channel.end) return;
    channel.end = end;
    channel.cause = cause;
    channel.reader.stop();
    channel.proc.close();
    channel.resolve(end);
  }

  /** Ends following for good; `error` is kept as it is, so callers can tell an SshError's kind. */
  private fail(error: string | Error): void {
    this.error = typeof error === 'string' ? new Error(error) : error;
    this.setState('failed');
    this.finishChannel('fatal');
  }

  private armStall(): void {
    clearTimeout(this.stallTimer);
    if (this.paused || !this.channel) return;
    const stallMs = this.options.stallMs ?? 15_000;
    this.stallTimer = setTimeout(() => this.finishChannel('dropped', `no data for ${Math.round(stallMs / 1000)} s`), stallMs);
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const lines = this.filterRe ? this.batch.filter((l) => matchesFilter(this.filterRe as RegExp, l)) : this.batch;
    this.batch = [];
    if (lines.length === 0) return;
    for (const line of lines) this.buffer.push(line);
    this.appendEmitter.fire(lines);
  }

  private trimRecent(): void {
    this.recent = this.committedRecent();
  }

  /** The remembered bytes up to the committed offset (a partial line after it will be read again). */
  private committedRecent(): Buffer {
    const extra = this.assembler.received - this.assembler.committed;
    return extra === 0 ? this.recent : extra >= this.recent.length ? Buffer.alloc(0) : this.recent.subarray(0, this.recent.length - extra);
  }

  private remember(chunk: Buffer): void {
    const tail = chunk.length >= verifyBytes ? chunk.subarray(chunk.length - verifyBytes) : chunk;
    this.recent = Buffer.concat([this.recent, tail]);
    if (this.recent.length > verifyBytes) this.recent = Buffer.from(this.recent.subarray(this.recent.length - verifyBytes));
  }

  private recordHandler(onProgress: () => void): RecordHandler {
    return {
      record: (fields) => this.onRecord(fields, onProgress),
      bytes: (mode: RecordMode, chunk) => {
        if (mode === 'data') {
          this.remember(chunk);
          this.assembler.push(chunk, this.batch);
        } else if (mode === 'copy') {
          this.onCopyBytes(chunk);
        } else if (this.verify) {
          this.verify.feed(chunk);
          if (this.verify.done && !this.verify.ok) {
            // Same inode, but not the bytes we read: truncated and written past our offset since.
            this.truncatedSince = true;
            this.finishChannel('restart');
          }
        }
      },
      grepLine: (line, dropped) => this.grepLines.push(lineText(line, dropped, this.maxLineBytes)),
      grepEnd: () => {
        // Only now are these lines shown and their bytes passed: a drop mid-record repeats none.
        this.assembler.reset(this.grepEnd);
        // The host's grep passed bytes we never saw: what we remember no longer ends at the offset.
        this.recent = Buffer.alloc(0);
        this.batch.push(...this.grepLines);
        this.grepLines = [];
      },
    };
  }

  private onRecord(fields: string[], onProgress: () => void): void {
    const [kind, a, b, c, d] = fields;
    switch (kind) {
      case 'O': {
        const reason = a;
        const offset = Number(d);
        const first = !this.opened;
        this.truncatedSince = false;
        this.inode = b;
        this.opened = true;
        this.assembler.reset(offset);
        // Resuming the same bytes keeps what was read last, for the check on the next resume.
        if (reason !== 'resume') this.recent = Buffer.alloc(0);
        onProgress();
        const reconnected = this.currentState === 'reconnecting';
        this.setState('following');
        if (reason === 'rotated') this.notice('rotated', `${this.where()} was rotated; following the new file from its start`);
        else if (reason === 'truncated') {
          this.notice(
            'truncated',
            this.copyUsed
              ? `${this.where()} was truncated (copytruncate); read the rest from its rotated copy, following it from its start`
              : `${this.where()} was truncated and no rotated copy was found; lines written just before that may be missing`,
          );
        } else if (reason === 'created' && !first) this.notice('created', `${this.where()} appeared; following it from its start`);
        else if (reason === 'resume' && reconnected) this.notice('resumed', `${this.where()}: reconnected; resuming at byte ${offset}`);
        return;
      }
      case 'D':
      case 'G':
        if (a !== this.inode || Number(b) !== this.assembler.received) {
          throw new ProtocolError(`follower out of step: ${fields.join(' ')} at ${this.inode}:${this.assembler.received}`);
        }
        if (kind === 'G') this.grepEnd = Number(b) + Number(c);
        return;
      case 'C':
        // Our copy of the old bytes ends at the committed offset; the record starts before it.
        this.copy = this.copyUsed ? undefined : new TailCheck(this.recent, this.assembler.committed - Number(b)); // one copy is enough
        return;
      case 'V':
        this.verify = new TailCheck(this.recent, this.assembler.committed - Number(b));
        return;
      case 'T':
        // The file shrank under us: restart at the last complete line, the script takes it from there.
        this.finishChannel('restart');
        return;
      case 'L':
        this.notice('lost', `${this.where()} was rotated while the connection was down and the old file is gone; lines after byte ${b} of it are missing`);
        return;
      case 'M':
        this.inode = '';
        this.opened = true;
        this.assembler.reset(0);
        this.recent = Buffer.alloc(0);
        this.setState('waiting');
        this.notice('missing', `${this.where()} does not exist (any more); waiting for it to appear`);
        return;
      case 'W':
        this.notice('hostFilterOff', `${this.options.host}: grep rejected the filter; filtering locally instead`);
        return;
      case 'E':
        this.fail(
          a === 'notfile'
            ? `${this.where()} is not a file; choose a log file instead`
            : `${this.where()}: permission denied; the ssh user cannot read this file (ask for read access, e.g. membership of its group, or choose another file)`,
        );
        return;
      case 'H':
        return;
      default:
        throw new ProtocolError(`unknown record from the follower script: ${fields.join(' ')}`);
    }
  }

  /** Bytes of a C record: first the overlap to compare with what we saw, then the missed bytes. */
  private onCopyBytes(chunk: Buffer): void {
    const copy = this.copy;
    if (!copy) return;
    const pos = copy.done ? 0 : copy.feed(chunk);
    if (!copy.done || !copy.ok || pos >= chunk.length) return;
    this.copyUsed = true;
    const data = chunk.subarray(pos);
    this.remember(data);
    this.assembler.push(data, this.batch);
  }
}
