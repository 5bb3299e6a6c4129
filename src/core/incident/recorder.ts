// The timeline that writes itself: every event of the stream goes to the active incident's
// timeline, redacted, one at a time in the order published (docs/architecture.md, "Incidents").
import type { EventBus, IncidentEvent } from '../events';
import type { Disposable } from '../util/events';
import { JOURNAL_SOURCE, type IncidentJournal, type StreamEvent } from './journal';

export interface IncidentRecorderOptions {
  /** The incident events go to now; undefined while none is active (events are then dropped). */
  activeIncident: () => string | undefined;
  /** Where a failed write is reported (a deleted incident folder, a full disk). */
  onError: (error: unknown) => void;
}

export class IncidentRecorder implements Disposable {
  private queue: Promise<void> = Promise.resolve();
  private readonly subscription: Disposable;

  constructor(
    private readonly journal: IncidentJournal,
    bus: EventBus,
    private readonly options: IncidentRecorderOptions,
  ) {
    this.subscription = bus.onAny((event) => this.record(event));
  }

  private record(event: IncidentEvent): void {
    // The journal's own events are on the timeline already, as notes, milestones and checks.
    if (event.source === JOURNAL_SOURCE) return;
    const id = this.options.activeIncident();
    if (id === undefined) return;
    this.queue = this.queue
      .then(() => this.journal.recordEvent(id, event as unknown as StreamEvent))
      .then(
        () => undefined,
        (error: unknown) => this.options.onError(error),
      );
  }

  /** Resolves once every event published so far is written. */
  idle(): Promise<void> {
    return this.queue;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
