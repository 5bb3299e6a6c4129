import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadInventory } from '../../../src/core/hosts/inventory';
import { buildHostTree, type ConnectionState, type GroupNode, type HostNode } from '../../../src/core/hosts/tree';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'hosts');
const HOME = path.join(FIXTURES, 'home');
const { hosts } = loadInventory({
  sshConfigFile: path.join(HOME, '.ssh', 'config'),
  hostsJsonFile: path.join(FIXTURES, 'workspace', '.vscode', 'hosts.json'),
  homeDir: HOME,
  env: { USER: 'alice' },
});

const states: Record<string, ConnectionState> = {
  'web-1': { kind: 'connected' },
  'web-2': { kind: 'error', message: 'web-2 (10.0.1.12:22): connect ETIMEDOUT after 15 s; is the host up and port 22 open?' },
  'db-1': { kind: 'connecting' },
};
const tree = buildHostTree(hosts, (name) => states[name] ?? { kind: 'idle' });

function findHost(name: string): HostNode {
  for (const node of tree) {
    const found = node.kind === 'group' ? node.children.find((child) => child.id === name) : node.id === name ? node : undefined;
    if (found) return found;
  }
  throw new Error(`no host node ${name}`);
}

describe('hosts tree', () => {
  it('shows groups by name first, then the ungrouped hosts, each group keeping inventory order', () => {
    assert.deepEqual(
      tree.map((node) => (node.kind === 'group' ? `${node.label}: ${node.children.map((child) => child.label).join(', ')}` : node.label)),
      ['checkout: web-1, web-2', 'data: db-1', 'bastion'],
    );
    const checkout = tree[0] as GroupNode;
    assert.equal(checkout.description, '2 hosts, 1 production');
    assert.equal(checkout.production, true);
    assert.equal(checkout.contextValue, 'group');
  });

  it('marks production hosts and gives each state its own context value for menus', () => {
    assert.equal(findHost('web-1').production, true);
    assert.equal(findHost('web-1').contextValue, 'host.connected.production');
    assert.equal(findHost('web-2').contextValue, 'host.error');
    assert.equal(findHost('db-1').contextValue, 'host.connecting.production');
    assert.equal(findHost('bastion').contextValue, 'host.idle');
    assert.equal(findHost('bastion').production, false);
  });

  it('describes a host by its state and tags', () => {
    assert.equal(findHost('web-1').description, 'connected · production');
    assert.equal(findHost('db-1').description, 'connecting… · production');
    assert.equal(findHost('web-2').description, 'error · staging');
    assert.equal(findHost('bastion').description, '', 'an idle host without tags shows nothing extra');
  });

  it('puts address, user, port, jump chain, tags, origin and the error reason in the tooltip', () => {
    assert.equal(
      findHost('db-1').tooltip,
      [
        'db-1 — PRODUCTION',
        'postgres@10.0.0.7:2222',
        'via jump@bastion.example.com:22',
        'tags: production',
        'group: data',
        'from: hosts.json',
        'state: connecting',
      ].join('\n'),
    );
    const web2 = findHost('web-2').tooltip.split('\n');
    assert.equal(web2[1], 'deploy@10.0.1.12:22');
    assert.ok(web2.includes(`from: ${path.join(HOME, '.ssh', 'config')}:8 and hosts.json`));
    assert.equal(web2.at(-1), 'error: web-2 (10.0.1.12:22): connect ETIMEDOUT after 15 s; is the host up and port 22 open?');
  });

  it('keeps node ids stable and the inventory host reachable from its node', () => {
    assert.equal(findHost('web-1').id, 'web-1');
    assert.equal(findHost('web-1').host.ssh.hostName, '10.0.1.11');
    assert.equal(tree[1].id, 'group:data');
  });

  it('lists hosts flat when none has a group', () => {
    const flat = buildHostTree(
      hosts.map(({ group: _group, ...host }) => host),
      () => ({ kind: 'idle' }),
    );
    assert.deepEqual(
      flat.map((node) => `${node.kind}:${node.label}`),
      ['host:bastion', 'host:web-1', 'host:web-2', 'host:db-1'],
    );
  });
});
