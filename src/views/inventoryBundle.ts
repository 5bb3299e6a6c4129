// The host files' readers (dist/inventory.js, built from src/inventory.ts) load the first time the
// Hosts view, a host pick or a command needs the inventory, not at activation. The build keeps
// this require external.
import type * as Inventory from '../inventory';

/** ssh_config and hosts.json parsing, and the ssh command line of a host. */
export function loadInventoryBundle(): typeof Inventory {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./inventory.js');
}
