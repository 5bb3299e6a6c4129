// The host files' readers (ssh_config with the ssh-config parser, hosts.json), bundled apart
// (dist/inventory.js) and loaded the first time the inventory or an ssh command line is needed
// (src/views/inventoryBundle.ts): together they were a third of dist/extension.js.
export { loadInventory } from './core/hosts/inventory';
export { shellQuote, sshCommandLine } from './core/ssh/config';
