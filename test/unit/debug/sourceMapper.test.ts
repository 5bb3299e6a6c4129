import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ruleSourceMapper } from '../../../src/core/debug/sourceMapper';
import { tempDir } from '../../support/tempDir';

test('frames map to the workspace by the path-mapping rules, both ways; unmapped ones stay on the host', async (t) => {
  const workspace = tempDir(t, 'mapper-');
  mkdirSync(join(workspace, 'checkout'));
  writeFileSync(join(workspace, 'checkout', 'app.py'), 'print(1)\n');
  const rules = [
    { remoteRoot: '/srv/checkout/current', localRoot: join(workspace, 'checkout'), host: 'web-1' },
    { remoteRoot: '/opt/other', localRoot: join(workspace, 'other') },
  ];
  const mapper = ruleSourceMapper((host) => rules.filter((r) => r.host === undefined || r.host === host));
  assert.equal(await mapper.toLocal('web-1', '/srv/checkout/current/app.py'), join(workspace, 'checkout', 'app.py'));
  assert.equal(await mapper.toLocal('web-2', '/srv/checkout/current/app.py'), undefined, "another host's rule does not apply");
  assert.equal(await mapper.toLocal('web-1', '/usr/lib/python3.11/socketserver.py'), undefined);
  assert.equal(await mapper.toRemote('web-1', join(workspace, 'checkout', 'lib', 'cart.py')), '/srv/checkout/current/lib/cart.py');
  assert.equal(await mapper.toRemote('web-2', join(workspace, 'checkout', 'lib', 'cart.py')), 'cart.py', 'no rule: the base name');
});
