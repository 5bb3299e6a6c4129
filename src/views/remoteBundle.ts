// The SSH half of the extension (dist/remote.js, built from src/remote.ts) loads on first use:
// ssh2 alone takes longer to load than activation may. The build keeps this require external.
import type * as Remote from '../remote';

/** ssh2, the pool and the OpenSSH transport. */
export function loadRemote(): typeof Remote {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./remote.js');
}
