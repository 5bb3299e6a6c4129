// Listening sockets from real /proc content captured from a node process (fixtures/capture-target.js)
// with its inspector and four servers open: the ports are the ones node itself reported.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectAddress, ownedListeners, parseListeningSockets, parseSocketInodes } from '../../../../src/core/debug/node/procNet';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const reported = JSON.parse(fixture('node-listeners.json')) as { inspector: string; servers: { address: string; port: number }[] };
const namespace = [...parseListeningSockets(fixture('proc-net-tcp.txt')), ...parseListeningSockets(fixture('proc-net-tcp6.txt'))];
const inodes = parseSocketInodes(fixture('proc-fd-links.txt'));

test('the sockets the node process listens on are exactly the ones it reported, with their addresses', () => {
  const owned = ownedListeners(namespace, inodes)
    .map((s) => `${s.address} ${s.port}`)
    .sort();
  const expected = [`127.0.0.1 ${reported.inspector}`, ...reported.servers.map((s) => `${s.address} ${s.port}`)].sort();
  assert.deepEqual(owned, expected);
});

test('rows in other states (established, time-wait) and the header are skipped', () => {
  const tcpRows = fixture('proc-net-tcp.txt').trim().split('\n').length - 1;
  assert.ok(tcpRows > parseListeningSockets(fixture('proc-net-tcp.txt')).length, 'the capture has non-listening rows');
  assert.ok(parseListeningSockets(fixture('proc-net-tcp.txt')).every((s) => /^\d+$/.test(s.inode)));
});

test("listeners of the namespace that are not the process's own are not owned", () => {
  const others = namespace.filter((s) => !inodes.has(s.inode));
  assert.ok(others.length > 0, 'the capture has other processes listening (sshd)');
  assert.equal(ownedListeners(others, inodes).length, 0);
});

test('only socket links count as inodes', () => {
  assert.deepEqual([...parseSocketInodes('pipe:[12]\nsocket:[34]\nanon_inode:[eventfd]\n/dev/null\nsocket:[56]\n')], ['34', '56']);
});

test('a wildcard is reached on loopback; a concrete address as is', () => {
  assert.equal(connectAddress('0.0.0.0'), '127.0.0.1');
  assert.equal(connectAddress('::'), '::1');
  assert.equal(connectAddress('10.1.2.3'), '10.1.2.3');
});
