// The incident features (dist/incident.js, built from ./features.ts) load on first use, or right
// after activation when the workspace has incidents. The build keeps this require external.
import type * as IncidentFeatures from './features';

/** The Incident panel, its commands, the active incident and the timeline recorder. */
export function loadIncidentFeatures(): typeof IncidentFeatures {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./incident.js');
}
