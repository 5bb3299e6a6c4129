import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DialledEndpoints } from '../../../src/core/ssh/dialledEndpoints';
import type { ResolvedHost } from '../../../src/core/ssh/types';

function host(alias: string, changes: Partial<ResolvedHost> = {}): ResolvedHost {
  return {
    alias,
    hostName: '10.0.0.7',
    port: 22,
    user: 'deploy',
    identityFiles: ['/home/me/.ssh/id_ed25519'],
    identitiesOnly: false,
    proxyJump: [],
    knownHostsFiles: [],
    strictHostKeyChecking: 'ask',
    needsOpenSsh: [],
    ...changes,
  };
}

test('a host whose address, user, port, key or jump host changed is reported once; an unchanged one is not', () => {
  const dialled = new DialledEndpoints();
  const before = { same: host('same'), address: host('address'), user: host('user'), port: host('port'), key: host('key'), jump: host('jump'), gone: host('gone') };
  for (const [name, resolved] of Object.entries(before)) dialled.record(name, resolved);
  const after: Record<string, ResolvedHost> = {
    same: host('same'),
    address: host('address', { hostName: '10.0.0.8' }),
    user: host('user', { user: 'root' }),
    port: host('port', { port: 2222 }),
    key: host('key', { identityFiles: ['/home/me/.ssh/id_rsa'] }),
    jump: host('jump', { proxyJump: [host('bastion')] }),
  };
  assert.deepEqual(dialled.takeMoved((name) => after[name]).sort(), ['address', 'gone', 'jump', 'key', 'port', 'user']);
  assert.deepEqual(dialled.takeMoved((name) => after[name]), []);
});
