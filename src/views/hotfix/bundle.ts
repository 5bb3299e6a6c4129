// The hotfix features (dist/hotfix.js, built from ./features.ts) load on first use, so hotfixes
// and drift add nothing to activation. The build keeps this require external.
import type * as HotfixFeatures from './features';

/** The hotfix branch, its tests and drift. */
export function loadHotfixFeatures(): typeof HotfixFeatures {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./hotfix.js');
}
