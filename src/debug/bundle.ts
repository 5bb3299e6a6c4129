// The debugger's heavy half (dist/debug.js, built from ./features.ts) loads when a debug session
// starts or a process is picked or sampled. The build keeps this require external.
import type * as DebugFeatures from './features';

/** The runtimes behind a debug session, the process picker and sampling. */
export function loadDebugFeatures(): typeof DebugFeatures {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./debug.js');
}
