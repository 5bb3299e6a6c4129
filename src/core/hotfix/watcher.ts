// Records a hotfix branch's life on the incident (docs/architecture.md, "Hotfixes and drift"):
// each commit that lands on it (`hotfix.committed`) and its merge into the branch the hotfix was
// started from (`hotfix.merged`). Polls `git rev-parse` on an injected Clock, so tests step time.
import { noEvents, type EventPublisher } from '../events';
import type { Clock, TimerHandle } from '../util/clock';
import { git, resolveRevision } from '../traces/revision';
import { HOTFIX_SOURCE } from './branch';

export interface HotfixWatchOptions {
  repo: string;
  incident: string;
  branch: string;
  /** The commit the branch started from: until the tip moves past it there is nothing to merge. */
  from: string;
  /** The branch the fix goes back into; no merge is watched when null. */
  into: string | null;
  clock: Clock;
  intervalMs?: number;
  events?: EventPublisher;
  /** A git failure during a poll (the repository moved, a lock): reported, polling goes on. */
  onError?: (error: Error) => void;
}

/** At most this many commits are published per poll (a rebase or a big pull lands many at once). */
const MAX_COMMITS_PER_POLL = 100;

export class HotfixWatcher {
  private tip: string | null = null;
  private mergedTip: string | null = null;
  private timer: TimerHandle | undefined;
  private disposed = false;

  constructor(private readonly options: HotfixWatchOptions) {}

  /** Reads the branch's current tip (commits already there are not published), then polls. */
  async start(): Promise<void> {
    this.tip = await resolveRevision(this.options.repo, `refs/heads/${this.options.branch}`);
    this.schedule();
  }

  /** One poll: publishes new commits and a merge. Public so a file watcher on .git can call it early. */
  async poll(): Promise<void> {
    const { repo, branch, incident, into } = this.options;
    const events = this.options.events ?? noEvents;
    const tip = await resolveRevision(repo, `refs/heads/${branch}`);
    if (tip && tip !== this.tip) {
      const range = this.tip ? `${this.tip}..${tip}` : tip;
      const log = await git(repo, ['log', '--reverse', '-z', `--max-count=${MAX_COMMITS_PER_POLL}`, '--format=%H%x00%s', range]);
      const fields = log.split('\0').filter((field) => field !== '');
      for (let i = 0; i + 1 < fields.length; i += 2) {
        events.publish('hotfix.committed', HOTFIX_SOURCE, { incident, branch, commit: fields[i].trim(), message: fields[i + 1] });
      }
      this.tip = tip;
    }
    if (into && this.tip && this.tip !== this.options.from && this.tip !== this.mergedTip && (await this.isMerged(this.tip, into))) {
      this.mergedTip = this.tip;
      events.publish('hotfix.merged', HOTFIX_SOURCE, { incident, branch, into, commit: this.tip });
    }
  }

  private async isMerged(tip: string, into: string): Promise<boolean> {
    const target = await resolveRevision(this.options.repo, `refs/heads/${into}`);
    if (!target) return false;
    try {
      await git(this.options.repo, ['merge-base', '--is-ancestor', tip, target]);
      return true;
    } catch {
      return false;
    }
  }

  private schedule(): void {
    if (this.disposed) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.poll().then(
        () => this.schedule(),
        (error: Error) => {
          this.options.onError?.(error);
          this.schedule();
        },
      );
    }, this.options.intervalMs ?? 5000);
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.cancel();
  }
}
