// The SSH half of the extension, bundled apart (dist/remote.js) and loaded on first use
// (src/views/remoteBundle.ts): ssh2 alone takes longer to load than the whole activation budget.
export { SshPool } from './core/ssh/pool';
export { spawnOpenSshTerminal } from './core/ssh/openssh';
// Health is read only over a connection, so its sampler (and /proc parsing) loads with it.
export { HealthSampler } from './core/health/sampler';
