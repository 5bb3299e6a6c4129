// The incident event stream (docs/architecture.md, "Events"). Publishers stamp nothing by hand:
// the bus adds the time from its clock. A listener that throws is reported, never allowed to stop
// the publisher or the other listeners.
import { systemClock, type Clock } from '../util/clock';
import type { Disposable } from '../util/events';
import type { IncidentEvent, IncidentEventMap, IncidentEventName } from './types';

export type EventListener<N extends IncidentEventName = IncidentEventName> = (event: IncidentEvent<N>) => void;

/** The publishing half, which is all a feature needs. */
export interface EventPublisher {
  publish<N extends IncidentEventName>(name: N, source: string, payload: IncidentEventMap[N]): void;
}

export class EventBus implements EventPublisher, Disposable {
  private readonly any = new Set<EventListener>();
  private readonly byName = new Map<IncidentEventName, Set<EventListener>>();

  constructor(
    private readonly clock: Clock = systemClock,
    /** Where a throwing listener is reported. */
    private readonly onListenerError: (error: unknown) => void = (error) => console.error('firefighter: event listener failed', error),
  ) {}

  publish<N extends IncidentEventName>(name: N, source: string, payload: IncidentEventMap[N]): void {
    const event = { name, at: this.clock.now(), source, ...payload } as unknown as IncidentEvent<N>;
    const named = this.byName.get(name);
    for (const listener of [...this.any, ...(named ?? [])]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Every event. */
  onAny(listener: EventListener): Disposable {
    this.any.add(listener);
    return { dispose: () => this.any.delete(listener) };
  }

  /** Events of one name, typed by it. */
  on<N extends IncidentEventName>(name: N, listener: EventListener<N>): Disposable {
    let set = this.byName.get(name);
    if (!set) this.byName.set(name, (set = new Set()));
    set.add(listener as EventListener);
    return { dispose: () => set.delete(listener as EventListener) };
  }

  dispose(): void {
    this.any.clear();
    this.byName.clear();
  }
}

/** For a feature built without a bus (most unit tests): publishes nowhere. */
export const noEvents: EventPublisher = { publish: () => undefined };
