// A publisher for tests that keeps what it was given, as the bus would pass it on (without the time).
import type { EventPublisher, IncidentEvent, IncidentEventMap, IncidentEventName } from '../../../src/core/events';

export type PublishedEvent = Omit<IncidentEvent, 'at'>;

export function recordEvents(): { events: EventPublisher; published: PublishedEvent[] } {
  const published: PublishedEvent[] = [];
  return {
    published,
    events: {
      publish<N extends IncidentEventName>(name: N, source: string, payload: IncidentEventMap[N]) {
        published.push({ name, source, ...payload } as unknown as PublishedEvent);
      },
    },
  };
}
