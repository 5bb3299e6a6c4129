import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeDebugRoots } from '../../../../src/core/debug/node/roots';

const rules = [
  { remoteRoot: '/srv/all', localRoot: '/ws/all' },
  { remoteRoot: '/srv/web', localRoot: '/ws/web', host: 'web-1' },
  { remoteRoot: '/srv/db', localRoot: '/ws/db', host: 'db-1' },
];

test("the host's own rule wins over a rule for every host, whatever the order", () => {
  assert.deepEqual(nodeDebugRoots(rules, 'web-1'), { remoteRoot: '/srv/web', localRoot: '/ws/web' });
  assert.deepEqual(nodeDebugRoots(rules, 'db-1'), { remoteRoot: '/srv/db', localRoot: '/ws/db' });
});

test('another host gets the rule for every host; none when there is none', () => {
  assert.deepEqual(nodeDebugRoots(rules, 'cache-1'), { remoteRoot: '/srv/all', localRoot: '/ws/all' });
  assert.equal(nodeDebugRoots(rules.slice(1), 'cache-1'), undefined);
});
