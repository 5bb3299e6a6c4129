// Issue 2's end-to-end story: a workspace whose ssh config reaches a real OpenSSH host (harness
// sshd on loopback) tagged production in .vscode/hosts.json. In the real UI the Hosts view lists it
// with its tag, expanding it shows load figures, and "Run top on Host" opens a terminal running top.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSandboxHost, type SandboxHost } from '../../harness/index';
import { openSession, type Session } from '../lib/session';

const HOST = 'web-1';

describe('Hosts view against a real sshd host', () => {
  let sandbox: SandboxHost;
  let session: Session;

  before(async () => {
    sandbox = await startSandboxHost({ name: HOST });
    session = await openSession({
      name: 'hosts',
      workspaceFiles: {
        '.vscode/hosts.json': JSON.stringify({ hosts: [{ name: HOST, tags: ['production'] }] }, null, 2),
        '.vscode/settings.json': JSON.stringify({ 'firefighter.sshConfigFile': sandbox.configFile }, null, 2),
      },
    });
    await session.workbench.openViewContainer('Firefighter');
  });

  after(async () => {
    await session?.close();
    await sandbox?.stop();
  });

  test('the Hosts view lists the host with its production tag', async () => {
    const item = await session.workbench.waitForTreeItem('Hosts', (row) => row.label === HOST, `host ${HOST}`);
    assert.match(`${item.description} ${item.ariaLabel}`, /production/i);
    await session.workbench.screenshot('hosts-view');
  });

  test('expanding the host connects and shows its load averages', async () => {
    const { workbench } = session;
    await workbench.expandTreeItem('Hosts', HOST);
    // Load averages 1/5/15 as figures, e.g. "load 0.42 0.30 0.20".
    const load = await workbench.waitForTreeItem(
      'Hosts',
      (row) =>
        row.level > 1 &&
        /load/i.test(`${row.label} ${row.description}`) &&
        /\d+\.\d+.*\d+\.\d+.*\d+\.\d+/.test(`${row.label} ${row.description}`),
      'load averages under the host',
      60_000,
    );
    assert.ok(load.level > 1);
    await workbench.screenshot('host-health');
  });

  test('"Firefighter: Run top on Host" opens a terminal showing top\'s load average', async () => {
    const { workbench } = session;
    await workbench.runCommand('Firefighter: Run top on Host');
    // Run from the palette, the command asks which host (docs/architecture.md, "Contracts").
    await workbench.pickQuickItem(HOST);
    const screen = await workbench.waitForTerminalText(/load average/, 60_000);
    assert.match(screen, /^top - /m);
    const terminals = await workbench.terminalNames();
    assert.ok(
      terminals.some((name) => name.includes(HOST)),
      `a terminal named after the host; terminals: ${terminals}`,
    );
    await workbench.screenshot('top-terminal');
  });

  test('Disconnect stops the health reads until Connect brings them back', async () => {
    const { workbench } = session;
    await workbench.runCommand('Firefighter: Disconnect from Host');
    await workbench.pickQuickItem(HOST);
    await workbench.waitForTreeItem(
      'Hosts',
      (row) => row.level > 1 && /^Disconnected/.test(row.label),
      'the disconnected row under the host',
    );
    const host = (await workbench.treeItems('Hosts')).find((row) => row.label === HOST);
    assert.doesNotMatch(host?.description ?? '', /connected/);
    await workbench.runCommand('Firefighter: Connect to Host');
    await workbench.pickQuickItem(HOST);
    await workbench.waitForTreeItem(
      'Hosts',
      (row) => row.level > 1 && /^load \d/.test(row.label),
      'load figures again after Connect',
      30_000,
    );
  });
});
