// Bad input in the real UI: a broken hosts.json entry is reported while the rest still loads, and
// an unreachable host shows the error (naming the host) on its node, or from Tail Log…, instead of
// hanging.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, startSandboxHost, type SandboxHost } from '../../harness/index';
import { openSession, type Session } from '../lib/session';
import { until } from '../lib/workbench';

describe('Hosts view with bad input', () => {
  let sandbox: SandboxHost;
  let session: Session;

  before(async () => {
    sandbox = await startSandboxHost({ name: 'web-1' });
    const closedPort = await freePort('127.0.0.1');
    const hostsJson = `{
  "hosts": [
    { "name": "web-1", "tags": ["production"] },
    { "name": "broken", "address": "10.0.0.1", "port": "not a port" },
    { "name": "down-1", "address": "127.0.0.1", "port": ${closedPort}, "user": "root" }
  ]
}
`;
    session = await openSession({
      name: 'host-errors',
      workspaceFiles: {
        '.vscode/hosts.json': hostsJson,
        '.vscode/settings.json': JSON.stringify({ 'firefighter.sshConfigFile': sandbox.configFile, 'firefighter.connectTimeout': 5 }),
      },
    });
    await session.workbench.openViewContainer('Firefighter');
  });

  after(async () => {
    await session?.close();
    await sandbox?.stop();
  });

  test('a broken hosts.json entry is reported and the other hosts still load', async () => {
    const { workbench } = session;
    await workbench.waitForTreeItem('Hosts', (row) => /1 problem in host files/.test(row.label), 'the problems row');
    const labels = (await workbench.treeItems('Hosts')).map((row) => row.label);
    assert.ok(labels.includes('web-1') && labels.includes('down-1'), labels.join(', '));
    assert.ok(!labels.includes('broken'));
    await workbench.screenshot('problems');
  });

  test('an unreachable host shows the error on its node, naming the host', async () => {
    const { workbench } = session;
    await workbench.expandTreeItem('Hosts', 'down-1');
    const error = await workbench.waitForTreeItem(
      'Hosts',
      (row) => row.level > 1 && /down-1/.test(row.label) && /refused|unreachable/i.test(row.label),
      'the connection error under down-1',
      30_000,
    );
    assert.ok(error.level > 1);
    const host = await workbench.waitForTreeItem(
      'Hosts',
      (row) => row.label === 'down-1' && /error/.test(row.description),
      'down-1 marked as in error',
    );
    assert.equal(host.level, 1);
    await workbench.screenshot('unreachable');
  });

  test('Tail Log… on an unreachable host says why instead of offering an empty list', async () => {
    const { workbench } = session;
    await workbench.runContextMenuItem('Hosts', 'down-1', 'Tail Log…');
    await workbench.waitForNotification(/^Tail Log: down-1 \(127\.0\.0\.1:\d+\): connection refused/);
    // The picker closes as the error is shown: wait for it to be gone, however slow the machine.
    await until(async () => !(await workbench.page.locator('.quick-input-widget .quick-input-title').isVisible()), 'no picker left open');
  });
});
