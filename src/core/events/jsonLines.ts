// The CLI's `--events FILE`: every event of the run, one JSON object per line, appended as it
// happens so a run that is interrupted still leaves what it did (the events shape, docs/architecture.md "Contracts").
import { appendFileSync, closeSync, openSync } from 'node:fs';
import type { Disposable } from '../util/events';
import type { EventBus } from './bus';
import type { IncidentEvent } from './types';

/** One JSON line: name, at, host and source first, then the event's own fields. */
export function eventLine(event: IncidentEvent): string {
  const { name, at, source, ...rest } = event as IncidentEvent & { host?: string };
  const host = 'host' in rest ? rest.host : undefined;
  const fields = { ...rest } as Record<string, unknown>;
  delete fields.host;
  return JSON.stringify({ name, at, ...(host !== undefined ? { host } : {}), source, ...fields }) + '\n';
}

/** Appends every event of `bus` to `path` (created if missing); throws at once if it cannot be opened. */
export function writeEventsTo(bus: EventBus, path: string): Disposable {
  closeSync(openSync(path, 'a'));
  return bus.onAny((event) => appendFileSync(path, eventLine(event)));
}
