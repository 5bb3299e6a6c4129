// "Seen before in 2026-10-03-checkout-timeouts": each trace analysed is looked up among past
// incidents, once per fingerprint, and a match is reported; done while an incident is active, the
// search goes on its timeline and ticks step 3's "similar" check (docs/architecture.md,
// "Incidents: past incidents").
import type { EventBus, IncidentEventMap } from '../events';
import type { Disposable } from '../util/events';
import type { IncidentJournal } from './journal';
import type { SearchHit } from './search';
import { traceRecordOfEvent } from './traceRecords';

export interface SeenBeforeOptions {
  /** The incident being worked on: left out of the search, and the search recorded on it. */
  activeIncident: () => string | undefined;
  /** False in a Live Share guest's window: the host's window records what happens. */
  record: boolean;
  /** Past incidents whose traces match the one analysed (best first; never empty). */
  onFound: (trace: IncidentEventMap['trace.analysed'], hits: SearchHit[]) => void;
  onError: (error: unknown) => void;
}

export class SeenBeforeWatcher implements Disposable {
  private readonly looked = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private readonly subscription: Disposable;

  constructor(
    private readonly journal: IncidentJournal,
    bus: EventBus,
    private readonly options: SeenBeforeOptions,
  ) {
    this.subscription = bus.on('trace.analysed', (event) => this.lookUp(event));
  }

  private lookUp(trace: IncidentEventMap['trace.analysed']): void {
    // The same trace analysed again (a log full of it) is looked up once per window.
    if (this.looked.has(trace.fingerprint)) return;
    this.looked.add(trace.fingerprint);
    // One search at a time, so the timeline's entries keep the order the traces came in.
    this.queue = this.queue
      .then(async () => {
        const active = this.options.activeIncident();
        const query = { traces: [traceRecordOfEvent(trace, '')], exclude: active };
        const hits = await this.journal.searchPast(query, this.options.record ? active : undefined);
        if (hits.length > 0) this.options.onFound(trace, hits);
      })
      .catch((error: unknown) => this.options.onError(error));
  }

  /** Resolves once every trace published so far is looked up. */
  idle(): Promise<void> {
    return this.queue;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
