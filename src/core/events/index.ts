// The incident event stream: see docs/architecture.md, "Events".
export { EventBus, noEvents, type EventListener, type EventPublisher } from './bus';
export { eventLine, writeEventsTo } from './jsonLines';
export type { CommandOutcome, EventFrame, IncidentEvent, IncidentEventMap, IncidentEventName } from './types';
