// The log features (dist/logs.js, built from ./features.ts) load on the first log command, so
// following logs adds nothing to activation. The build keeps this require external.
import type * as LogFeatures from './features';

/** Log terminals, their followers and log documents. */
export function loadLogFeatures(): typeof LogFeatures {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./logs.js');
}
