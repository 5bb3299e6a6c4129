// The trace actions (dist/traces.js, built from ./actions.ts) load the first time a frame is
// opened or a trace analyzed. The build keeps this require external.
import type * as TraceActions from './actions';

/** Trace parsing, path mapping and revisions. */
export function loadTraceActions(): typeof TraceActions {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./traces.js');
}
