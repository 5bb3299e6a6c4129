// Follows one log file on one host through one remote channel at a time (the script in
// script.ts). Its position (stream.ts) says where it stands, so when the channel drops it starts
// the script again at exactly that point: no line lost, none shown twice. Rotation (rename,
// copytruncate, compression, several rotations during one outage) is found and drained by the
// script; this file keeps the channel alive: reconnects with backoff, notices a stalled link,
// applies the filter, pauses, and publishes the follower's incident events.
// docs/architecture.md, "Logs".
import { noEvents, type EventPublisher } from '../events';
import { isSshError, isTransient } from '../ssh/errors';
import type { RemoteProcess, RemoteRunner } from '../ssh/remote';
import { Backoff } from '../util/backoff';
import { systemClock, type Clock, type TimerHandle } from '../util/clock';
import { EventEmitter, type Disposable, type Event } from '../util/events';
import { compileFilter, hostGrep, matchesFilter, type HostGrep, type LogFilter } from './filter';
import { makeVisible } from './lines';
import { ProtocolError, RecordReader } from './records';
import { LineRing, type RingCaps } from './ring';
import { followCommand } from './script';
import { FollowStream, type FollowerNotice, type FollowerPosition, type NoticeKind, type StreamListener } from './stream';

export type { FollowerNotice, FollowerPosition, NoticeKind } from './stream';

export type FollowerState = 'connecting' | 'following' | 'waiting' | 'reconnecting' | 'stopped' | 'failed';

export interface LogFollowerOptions {
  host: string;
  path: string;
  /** Returns the host's runner; called again for every restart (the pool may have reconnected). */
  connect: () => Promise<RemoteRunner>;
  /** Lines of existing content to show first (default 10). */
  startLines?: number;
  /** Start at this line instead (1 for the whole file, as `tail -n +K`); startLines is then ignored. */
  fromLine?: number;
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
  /** Time for the backoff, the stall timer and the channel's last words (default the system's). */
  clock?: Clock;
  /** Where log.started, log.resumed, log.rotated, log.skipped and log.stopped go. */
  events?: EventPublisher;
}

type ChannelEnd = 'restart' | 'dropped' | 'fatal';

interface Channel {
  proc: RemoteProcess;
  reader: RecordReader;
  end?: ChannelEnd;
  cause?: string;
  resolve: (end: ChannelEnd) => void;
}

/** An SSH failure that retrying alone cannot cure: a cancelled or refused login, a host key to check. */
function needsTheUser(error: unknown): error is Error {
  return isSshError(error) && !isTransient(error);
}

/** A failure after the host answered (it closed or reset the connection during the handshake): the network is back. */
function hostAnswered(error: unknown): boolean {
  return isSshError(error) && error.kind === 'closed';
}

/**
 * Why a channel ended without an exit status: the pool's reason for losing the connection when it
 * has one, else the error's own message without our command line (the whole script).
 */
function lostReason(error: Error, command: string): string {
  return error.cause instanceof Error ? error.cause.message : error.message.replace(command, 'the follower script');
}

/** Text from a host (a shell's stderr) on one line, its control characters made visible. */
function oneLine(text: string): string {
  return makeVisible(text.trim().replace(/\s*[\r\n]+\s*/g, ' '));
}

const heartbeatSeconds = 2;
/** How long a channel that ended may still deliver what it holds. */
const lastWordsMs = 1000;
/** Past this, `tail -n N` is the whole file on any host (and the script's arithmetic stays exact). */
const maxLines = Number.MAX_SAFE_INTEGER;

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

  private readonly stream: FollowStream;
  private readonly clock: Clock;
  private readonly events: EventPublisher;
  private readonly backoff: Backoff;
  private readonly maxLineBytes: number;
  private currentState: FollowerState = 'connecting';
  private filterRe: RegExp | undefined;
  private hostFilter: HostGrep | undefined;
  private paused = false;
  private disposed = false;
  private channel: Channel | undefined;
  private stallTimer: TimerHandle | undefined;

  constructor(private readonly options: LogFollowerOptions) {
    this.maxLineBytes = options.maxLineBytes ?? 64 * 1024;
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? noEvents;
    this.backoff = new Backoff(this.clock, options.backoff);
    this.stream = new FollowStream(this.where(), options.host, this.maxLineBytes, options.resumeFrom);
    this.buffer = new LineRing(options.buffer);
    if (options.filter) this.applyFilter(options.filter);
    const fromLine = this.fromLine();
    this.events.publish('log.started', 'follower', {
      host: options.host,
      path: options.path,
      ...(options.filter?.pattern ? { filter: options.filter.pattern } : {}),
      ...(options.resumeFrom
        ? { offset: options.resumeFrom.offset }
        : fromLine !== undefined
          ? { fromLine }
          : { lines: this.startLines() }),
    });
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
    return this.stream.position;
  }

  /** Stops reading: the host waits (the channel's window fills), nothing is dropped. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.channel?.proc.stdout.pause();
    this.stallTimer?.cancel();
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
    this.backoff.wake();
    this.setState(this.currentState === 'failed' ? 'failed' : 'stopped');
    this.events.publish('log.stopped', 'follower', {
      host: this.options.host,
      path: this.options.path,
      reason: this.error ? this.error.message : 'stopped',
    });
    this.appendEmitter.dispose();
    this.noticeEmitter.dispose();
    this.stateEmitter.dispose();
  }

  private fromLine(): number | undefined {
    return this.options.fromLine === undefined ? undefined : Math.max(1, Math.min(maxLines, Math.floor(this.options.fromLine)));
  }

  private startLines(): number {
    return Math.max(0, Math.min(maxLines, Math.floor(this.options.startLines ?? 10)));
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
    this.noticeEmitter.fire({ kind, message: oneLine(message) });
  }

  private where(): string {
    return `${this.options.host}:${this.options.path}`;
  }

  private async run(): Promise<void> {
    while (!this.disposed) {
      let end: ChannelEnd;
      let cause: string;
      try {
        const runner = await this.options.connect();
        if (this.disposed) break;
        const result = await this.runChannel(runner);
        end = result.end;
        cause = result.cause;
        if (result.progressed) this.backoff.succeeded();
      } catch (error) {
        if (needsTheUser(error)) {
          // Retrying would ask again or fail the same way: stop, the user retries when ready.
          this.fail(error);
          break;
        }
        // The host answered (a handshake cut short): the network is back, so retry soon.
        if (hostAnswered(error)) this.backoff.succeeded();
        end = 'dropped';
        cause = error instanceof Error ? error.message : String(error);
      }
      if (this.disposed || end === 'fatal') break;
      if (end === 'restart') continue;
      const delay = this.backoff.failed();
      this.setState('reconnecting');
      this.notice('reconnecting', `${this.where()}: ${cause.replace(/\.$/, '')}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
      await this.backoff.sleep(delay);
    }
    if (!this.disposed) this.dispose();
  }

  private async runChannel(runner: RemoteRunner): Promise<{ end: ChannelEnd; cause: string; progressed: boolean }> {
    this.stream.beginChannel();
    const position = this.stream.position;
    const fromLine = this.fromLine();
    const pollSeconds = this.options.pollSeconds ?? 0.25;
    const command = followCommand({
      path: this.options.path,
      inode: position?.inode ?? '',
      live: position?.live ?? '',
      offset: position?.offset,
      first: fromLine !== undefined ? { fromLine } : { lines: this.startLines() },
      tail: position?.tail ?? Buffer.alloc(0),
      grep: this.hostFilter,
      pollSeconds,
      heartbeatPolls: Math.max(1, Math.round(heartbeatSeconds / pollSeconds)),
    });
    const proc = await runner.spawn(command);
    if (this.disposed) {
      proc.close();
      return { end: 'fatal', cause: 'stopped', progressed: false };
    }
    let progressed = false;
    let stderr = '';
    let resolveEnd: (end: ChannelEnd) => void = () => undefined;
    const ended = new Promise<ChannelEnd>((resolve) => (resolveEnd = resolve));
    const reader = new RecordReader(this.stream.handler(this.listener(() => (progressed = true))), this.maxLineBytes);
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
      if (!this.paused) {
        let timer: TimerHandle | undefined;
        await Promise.race([stdoutDone, new Promise<void>((r) => (timer = this.clock.setTimeout(r, lastWordsMs)))]);
        timer?.cancel();
      }
      if (channel.end) return;
      if (exitCode === 126 || exitCode === 127) {
        this.fail(`${this.where()}: the host could not run the follower script (${oneLine(stderr) || `exit code ${exitCode}`})`);
        return;
      }
      const reason =
        oneLine(stderr) ||
        (error && lostReason(error, command)) ||
        (signal ? `channel closed (${signal})` : `channel closed (exit code ${exitCode})`);
      this.finishChannel('dropped', reason, channel);
    });
    if (!this.paused) this.armStall();
    else proc.stdout.pause();
    const end = await ended;
    this.stallTimer?.cancel();
    this.channel = undefined;
    return { end, cause: channel.cause ?? 'connection lost', progressed };
  }

  /** What the stream's records do to this follower. */
  private listener(onProgress: () => void): StreamListener {
    const about = { host: this.options.host, path: this.options.path };
    return {
      opened: (reason, offset) => {
        onProgress();
        const reconnected = this.currentState === 'reconnecting';
        this.setState('following');
        if (!reconnected || (reason !== 'resume' && reason !== 'drain' && reason !== 'copy')) return;
        this.notice(
          'resumed',
          `${this.where()}: reconnected; resuming at byte ${offset}${reason === 'resume' ? '' : ' of the old file (rotated meanwhile)'}`,
        );
        this.events.publish('log.resumed', 'follower', { ...about, offset });
      },
      notice: (kind, message) => this.notice(kind, message),
      rotated: (how, message) => {
        this.notice(how === 'renamed' ? 'rotated' : how, message);
        this.events.publish('log.rotated', 'follower', { ...about, how, message: oneLine(message) });
      },
      skipped: (message) => this.events.publish('log.skipped', 'follower', { ...about, message: oneLine(message) }),
      missing: (message) => {
        this.setState('waiting');
        this.notice('missing', message);
      },
      restart: () => this.finishChannel('restart'),
      fail: (message) => this.fail(message),
    };
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
    this.error = typeof error === 'string' ? new Error(oneLine(error)) : error;
    this.setState('failed');
    this.finishChannel('fatal');
  }

  private armStall(): void {
    this.stallTimer?.cancel();
    if (this.paused || !this.channel) return;
    const stallMs = this.options.stallMs ?? 15_000;
    this.stallTimer = this.clock.setTimeout(() => this.finishChannel('dropped', `no data for ${Math.round(stallMs / 1000)} s`), stallMs);
  }

  private flush(): void {
    const batch = this.stream.takeLines();
    if (batch.length === 0) return;
    const lines = this.filterRe ? batch.filter((l) => matchesFilter(this.filterRe as RegExp, l)) : batch;
    if (lines.length === 0) return;
    for (const line of lines) this.buffer.push(line);
    this.appendEmitter.fire(lines);
  }
}
