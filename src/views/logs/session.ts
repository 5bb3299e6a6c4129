// What one log terminal shows: one follower per file (on one host or several), fed into the
// terminal (merged with a host/file prefix per line when there are several), paused and filtered
// together, with the lines kept in one bounded ring for "Open in editor" and "Save excerpt".
// No `vscode` here: the Pseudoterminal (logTerminal.ts) only passes keys in and text out.
import { TerminalFeed, type FeedSource } from '../../core/logs/feed';
import type { LogFilter } from '../../core/logs/filter';
import type { FollowerNotice, FollowerPosition, FollowerState } from '../../core/logs/follower';
import { LineRing, type RingCaps } from '../../core/logs/ring';
import type { HostStateChange } from '../../core/ssh/pool';
import { EventEmitter, type Disposable, type Event } from '../../core/util/events';
import { DisposableStore } from '../../core/util/lifecycle';
import { formatFilter, HELP_LINE, sourcePrefixes, type LogSource } from './model';

/** The part of a LogFollower a session uses. */
export interface SessionFollower extends FeedSource, Disposable {
  readonly onDidChangeState: Event<FollowerState>;
  readonly error: Error | undefined;
  readonly position: FollowerPosition | undefined;
  pause(): void;
  resume(): void;
  /** Throws SyntaxError for an invalid regular expression. */
  setFilter(filter: LogFilter | undefined): void;
}

export interface LogSessionOptions {
  /** The files followed, on one host or several. A failing one does not stop the others. */
  sources: readonly LogSource[];
  filter?: LogFilter;
  /** `resumeFrom` is where this file's previous follower stopped, when there was one. */
  createFollower: (path: string, filter: LogFilter | undefined, resumeFrom: FollowerPosition | undefined, host: string) => SessionFollower;
  write: (text: string) => void;
  /** Caps of the lines kept for the editor (default: the ring's, 10,000 lines / 8 MiB). */
  buffer?: RingCaps;
  colour?: boolean;
  flushIntervalMs?: number;
}

interface Slot {
  source: LogSource;
  prefix: string;
  follower: SessionFollower | undefined;
  subscriptions: DisposableStore | undefined;
  /** Not following (it failed, or the host was disconnected): r starts it again. */
  stopped: boolean;
  /** Where the last follower stopped: the next one goes on from there. */
  resumeFrom: FollowerPosition | undefined;
}

export class LogSession implements Disposable {
  /** The lines shown so far (prefixed in a merged terminal), oldest dropped past the caps. */
  readonly buffer: LineRing;
  private readonly feed: TerminalFeed;
  private readonly notices = new EventEmitter<FollowerNotice>();
  private readonly slots: Slot[];
  private currentFilter: LogFilter | undefined;
  private paused = false;
  private disposed = false;

  constructor(private readonly options: LogSessionOptions) {
    this.buffer = new LineRing(options.buffer);
    this.currentFilter = options.filter;
    this.feed = new TerminalFeed({ write: options.write, colour: options.colour, flushIntervalMs: options.flushIntervalMs });
    // The session's own notices go through the feed too, so they stay in order with the lines.
    this.feed.add({ onDidAppend: () => ({ dispose: () => undefined }), onDidNotice: this.notices.event });
    const prefixes = sourcePrefixes(options.sources);
    this.slots = options.sources.map((source, i) => ({
      source,
      prefix: prefixes[i],
      follower: undefined,
      subscriptions: undefined,
      stopped: false,
      resumeFrom: undefined,
    }));
  }

  get sources(): readonly LogSource[] {
    return this.options.sources;
  }

  /** The hosts followed, each once, in order. */
  get hosts(): string[] {
    return [...new Set(this.options.sources.map((s) => s.host))];
  }

  get paths(): string[] {
    return [...new Set(this.options.sources.map((s) => s.path))];
  }

  get filter(): LogFilter | undefined {
    return this.currentFilter;
  }

  /** Starts following every file and says how to drive the terminal. */
  start(): void {
    const what = this.options.sources.map((s) => `${s.host}:${s.path}`).join(', ');
    const filter = this.currentFilter ? ` matching ${formatFilter(this.currentFilter)}` : '';
    this.notice(`following ${what}${filter} · ${HELP_LINE}`);
    for (const slot of this.slots) this.startSlot(slot);
  }

  /** Pauses or resumes every follower; returns whether it is paused now. */
  togglePause(): boolean {
    this.paused = !this.paused;
    for (const slot of this.slots) {
      if (this.paused) slot.follower?.pause();
      else slot.follower?.resume();
    }
    this.notice(this.paused ? 'paused: new lines wait on the host, nothing is lost; p or space resumes' : 'resumed');
    return this.paused;
  }

  /** Changes the filter of every follower from the next line on. Throws SyntaxError for an invalid regex. */
  setFilter(filter: LogFilter | undefined): void {
    for (const slot of this.slots) slot.follower?.setFilter(filter);
    this.currentFilter = filter;
    this.notice(filter ? `filter ${formatFilter(filter)} from the next line on` : 'filter removed: every line from the next one on');
  }

  /** The newest `n` kept lines (all by default), control characters made visible. */
  lines(n?: number): string[] {
    return this.buffer.lines(n);
  }

  /** Starts the stopped followers again, where they stopped; returns how many. */
  retry(): number {
    const stopped = this.slots.filter((slot) => slot.stopped);
    for (const slot of stopped) {
      this.notice(`trying ${slot.source.host}:${slot.source.path} again`);
      this.startSlot(slot);
    }
    return stopped.length;
  }

  /** The user disconnected `host`: stops following its files (the lines stay) until r. */
  hostDisconnected(host: string): void {
    const following = this.slots.filter((slot) => slot.source.host === host && slot.follower && !slot.stopped);
    if (following.length === 0) return;
    for (const slot of following) {
      this.stopSlot(slot);
      slot.stopped = true;
    }
    this.notice(`Disconnected from ${host}. Press r to follow again.`);
  }

  /** Writes one dimmed line between the log lines. */
  notice(message: string): void {
    // The feed shows a notice's message only; the kind is for followers' own listeners.
    this.notices.fire({ kind: 'resumed', message });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const slot of this.slots) this.stopSlot(slot);
    this.feed.dispose();
    this.notices.dispose();
  }

  private startSlot(slot: Slot): void {
    this.stopSlot(slot);
    slot.stopped = false;
    const follower = this.options.createFollower(slot.source.path, this.currentFilter, slot.resumeFrom, slot.source.host);
    const subscriptions = new DisposableStore();
    subscriptions.add(this.feed.add(follower, slot.prefix));
    subscriptions.add(
      follower.onDidAppend((lines) => {
        for (const line of lines) this.buffer.push(slot.prefix + line);
      }),
    );
    subscriptions.add(
      follower.onDidChangeState((state) => {
        if (state !== 'failed') return;
        slot.stopped = true;
        const why = follower.error?.message.replace(/\.$/, '') ?? `${slot.source.host}:${slot.source.path} could not be followed`;
        this.notice(`${why}. Press r to try again, or close this terminal.`);
      }),
    );
    slot.follower = follower;
    slot.subscriptions = subscriptions;
    if (this.paused) follower.pause();
  }

  private stopSlot(slot: Slot): void {
    if (slot.follower) slot.resumeFrom = slot.follower.position;
    slot.subscriptions?.dispose();
    slot.follower?.dispose();
    slot.subscriptions = undefined;
    slot.follower = undefined;
  }
}

/**
 * Stops following on a host the user disconnects, so the followers do not dial it again at once.
 * The pool reports a Disconnect as the host going idle, before it ends the connection (its idle
 * timeout never closes a connection a follower holds a channel on).
 */
export function stopOnDisconnect(hostStates: Event<HostStateChange>, sessions: () => Iterable<LogSession>): Disposable {
  return hostStates(({ host, state }) => {
    if (state.kind !== 'idle') return;
    for (const session of sessions()) if (session.hosts.includes(host)) session.hostDisconnected(host);
  });
}
