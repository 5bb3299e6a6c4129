// `connection.changed` from the pool's host states (docs/architecture.md, "Events"): a drop of a
// live connection is "disconnected" (not by the user), a close is by the user or for idleness.
import type { EventPublisher } from '../events/bus';
import type { HostState } from './pooledConnection';

/** Why a connection went idle: the user's Disconnect, or nothing using it. */
export type CloseReason = 'user' | 'idle';

export function publishConnectionChange(
  events: EventPublisher,
  host: string,
  previous: HostState,
  state: HostState,
  closedBy: CloseReason | undefined,
): void {
  switch (state.kind) {
    case 'connecting':
    case 'connected':
      return events.publish('connection.changed', 'pool', { host, state: state.kind });
    case 'error':
      if (previous.kind === 'connected') {
        return events.publish('connection.changed', 'pool', {
          host,
          state: 'disconnected',
          byUser: false,
          kind: state.error.kind,
          message: state.message,
        });
      }
      return events.publish('connection.changed', 'pool', { host, state: 'failed', kind: state.error.kind, message: state.message });
    case 'idle':
      if (closedBy === 'user') return events.publish('connection.changed', 'pool', { host, state: 'disconnected', byUser: true });
      return events.publish('connection.changed', 'pool', { host, state: 'idle' });
  }
}
