// The parts of the extension loaded on first use, each from its own bundle next to
// dist/extension.js (the build keeps these requires external): activation stays cheap.
import type * as Remote from '../remote';
import type * as LogFeatures from './logs/features';
import type * as TraceActions from './traces/actions';

/** ssh2, the pool and the OpenSSH transport: ssh2 alone takes longer to load than activation may. */
export function loadRemote(): typeof Remote {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./remote.js');
}

/** Trace parsing, path mapping and revisions, for opening a frame or analyzing a trace. */
export function loadTraceActions(): typeof TraceActions {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./traces.js');
}

/** Log terminals, their followers and log documents, for the log commands. */
export function loadLogFeatures(): typeof LogFeatures {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./logs.js');
}
