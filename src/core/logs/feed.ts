// Feeds followers into a terminal that cannot push back (a VS Code Pseudoterminal only offers
// write). Lines are written in batches at most every `flushIntervalMs`; when more arrive in
// one interval than `maxLinesPerFlush`, the oldest of them are skipped on screen with a marker
// saying how many, while the followers' buffers keep them for "Open in editor".
import type { Disposable, Event } from '../util/events';
import { DisposableStore } from '../util/lifecycle';
import { colourLine, noticeLine, skippedMarker } from './ansi';
import type { FollowerNotice } from './follower';

export interface FeedSource {
  readonly onDidAppend: Event<string[]>;
  readonly onDidNotice: Event<FollowerNotice>;
  /** The filter to highlight, if any. */
  readonly filterRegExp?: RegExp;
}

export interface TerminalFeedOptions {
  write: (text: string) => void;
  /** ANSI colours for levels, matches and markers (default true). */
  colour?: boolean;
  /** Most lines written per flush (default 2000). */
  maxLinesPerFlush?: number;
  flushIntervalMs?: number;
}

type Item = { line: string; source: FeedSource; prefix: string } | { notice: string };

export class TerminalFeed implements Disposable {
  private readonly store = new DisposableStore();
  private queue: Item[] = [];
  private queuedLines = 0;
  private skipped = 0;
  /** Skipped since the last flush: the marker written before the next lines. */
  private pendingSkip = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly colour: boolean;
  private readonly maxLines: number;
  private readonly intervalMs: number;

  constructor(private readonly options: TerminalFeedOptions) {
    this.colour = options.colour ?? true;
    this.maxLines = options.maxLinesPerFlush ?? 2000;
    this.intervalMs = options.flushIntervalMs ?? 50;
  }

  /** Shows a follower's lines and notices; `prefix` (e.g. "web-1 app.log │ ") marks them in a merged terminal. */
  add(source: FeedSource, prefix = ''): Disposable {
    const subscriptions = new DisposableStore();
    subscriptions.add(source.onDidAppend((lines) => this.enqueueLines(lines, source, prefix)));
    subscriptions.add(source.onDidNotice((notice) => this.enqueue({ notice: prefix + notice.message })));
    return this.store.add(subscriptions);
  }

  /** Lines skipped on screen so far. */
  get skippedLines(): number {
    return this.skipped;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.store.dispose();
    this.queue = [];
  }

  private enqueueLines(lines: string[], source: FeedSource, prefix: string): void {
    for (const line of lines) this.queue.push({ line, source, prefix });
    this.queuedLines += lines.length;
    if (this.queuedLines > this.maxLines) this.dropOldest(this.queuedLines - this.maxLines);
    this.schedule();
  }

  private enqueue(item: Item): void {
    this.queue.push(item);
    this.schedule();
  }

  private dropOldest(count: number): void {
    let left = count;
    const kept: Item[] = [];
    for (const item of this.queue) {
      if (left > 0 && 'line' in item) {
        left--;
        continue;
      }
      kept.push(item);
    }
    this.queue = kept;
    this.queuedLines -= count;
    this.skipped += count;
    this.pendingSkip += count;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  private flush(): void {
    this.timer = undefined;
    const out: string[] = [];
    if (this.pendingSkip > 0) {
      out.push(skippedMarker(this.pendingSkip, { colour: this.colour }));
      this.pendingSkip = 0;
    }
    for (const item of this.queue) {
      if ('notice' in item) out.push(noticeLine(item.notice, { colour: this.colour }));
      else out.push(item.prefix + colourLine(item.line, { colour: this.colour, highlight: item.source.filterRegExp }));
    }
    this.queue = [];
    this.queuedLines = 0;
    if (out.length > 0) this.options.write(`${out.join('\r\n')}\r\n`);
  }
}
