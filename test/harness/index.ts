// Real-parts test harness: OpenSSH hosts, ssh configs, an agent and a fault proxy, all cleaned up
// at exit. See docs/architecture.md, "Testing with real parts".
export { descendantsOf, makeTempDir, onExit, removeTempDir, stopProcess, trackProcess } from './cleanup';
export { fingerprintOf, generateKey, type KeyPair, type KeyType } from './keys';
export { freePort, nextLoopbackAddress, startBastion, startSshHost, SSHD_PATH, type SshHost, type SshHostOptions } from './sshd';
export { writeSshConfig, type ConfigurableHost, type SshConfigEntry, type WrittenSshConfig } from './sshConfig';
export { startSshAgent, type SshAgent } from './agent';
export { startFaultProxy, viaProxy, type FaultProxy } from './faultProxy';
export { startSandboxHost, type SandboxHost } from './sandbox';
