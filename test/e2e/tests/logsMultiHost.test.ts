// Issue 4 on several hosts at once: two real sshd hosts (and one nothing answers on) in one
// ssh_config, all three selected in the Hosts view; "Tail Log…" from the context menu of the one
// that is down asks for the log once (listed on the hosts that answer), and "One merged terminal"
// shows the lines of both reachable hosts, each prefixed with its host and file, while the
// unreachable one only shows its notice in the same terminal until Disconnect stops it.
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, makeTempDir, nextLoopbackAddress, startSandboxHost, writeSshConfig, type SandboxHost } from '../../harness/index';
import { openSession, type Session } from '../lib/session';
import { until } from '../lib/workbench';

const HOSTS = ['web-1', 'web-2'];
const DOWN = 'down-1';

describe('Logs on several hosts at once', () => {
  const sandboxes: SandboxHost[] = [];
  let session: Session;
  const logDir = makeTempDir('e2e-logs-multi');
  const appLog = path.join(logDir, 'app.log');
  let next = 1;
  let timer: NodeJS.Timeout | undefined;
  const write = () => appendFileSync(appLog, `2024-05-01T03:00:00Z INFO checkout request ${next++} handled\n`);

  before(async () => {
    writeFileSync(appLog, '');
    for (let i = 0; i < 10; i++) write();
    timer = setInterval(write, 300);
    for (const name of HOSTS) sandboxes.push(await startSandboxHost({ name }));
    // Both hosts (and one that refuses connections) in one ssh_config, as a user would have them.
    const downAddress = nextLoopbackAddress();
    const { configFile } = writeSshConfig({
      dir: makeTempDir('e2e-logs-multi-ssh'),
      entries: [
        ...sandboxes.map((s) => ({ host: s.host, identityFiles: [s.userKey.privateKeyPath], identitiesOnly: true })),
        { host: { name: DOWN, address: downAddress, port: await freePort(downAddress) } },
      ],
    });
    const logs = [`${logDir}/*.log`];
    session = await openSession({
      name: 'logs-multi-host',
      workspaceFiles: {
        '.vscode/hosts.json': JSON.stringify({ hosts: [...HOSTS, DOWN].map((name) => ({ name, logs })) }, null, 2),
        '.vscode/settings.json': JSON.stringify({ 'firefighter.sshConfigFile': configFile, 'firefighter.tailLines': 5 }, null, 2),
      },
    });
    await session.workbench.openViewContainer('Firefighter');
    for (const name of [...HOSTS, DOWN]) await session.workbench.waitForTreeItem('Hosts', (row) => row.label === name, `host ${name}`);
  });

  after(async () => {
    if (timer) clearInterval(timer);
    await session?.close();
    for (const sandbox of sandboxes) await sandbox.stop();
  });

  test('hosts selected in the Hosts view → Tail Log… → one merged terminal with a host/file prefix per line', async () => {
    const { workbench } = session;
    const page = workbench.page;
    // Ctrl+click only: a plain click on a host row also expands it (and connects), moving the rows.
    await workbench.treeRow('Hosts', 'web-1').click({ modifiers: ['Control'] });
    await workbench.treeRow('Hosts', 'web-2').click({ modifiers: ['Control'] });
    await workbench.treeRow('Hosts', DOWN).click({ modifiers: ['Control'] });
    await until(async () => (await workbench.view('Hosts').locator('.monaco-list-row.selected').count()) === 3, 'three selected host rows');
    // Right-clicked on the host that is down: the list comes from the hosts that answer, and the
    // picker says which one could not.
    await workbench.runContextMenuItem('Hosts', DOWN, 'Tail Log…');
    await until(
      async () =>
        /Tail Log on down-1, web-1, web-2/.test((await page.locator('.quick-input-widget .quick-input-title').textContent()) ?? ''),
      'the picker titled with the three hosts',
    );
    await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: appLog }).first().waitFor({ timeout: 60_000 });
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await until(
      async () => /down-1 .*connection refused/.test((await input.getAttribute('placeholder')) ?? ''),
      'the picker to say down-1 cannot be reached',
      30_000,
      async () => (await input.getAttribute('placeholder')) ?? '',
    );
    await workbench.pickQuickItem(appLog);
    await page.keyboard.press('Enter');
    await workbench.pickQuickItem('One merged terminal');
    await workbench.answerInputBox(/Filter for .*app\.log on 3 hosts/, '');

    await until(
      async () => (await workbench.terminalNames()).some((name) => name.includes('log · 3 hosts · app.log')),
      'a terminal for app.log on the three hosts',
      30_000,
      async () => (await workbench.terminalNames()).join(', '),
    );
    const after = next + 2;
    await workbench.waitForTerminalNumber(/web-1 +app\.log │ .*request (\d+) handled/, after, 60_000);
    await workbench.waitForTerminalNumber(/web-2 +app\.log │ .*request (\d+) handled/, after, 60_000);
    // The host nothing answers on says so in the same terminal (a notice under its prefix); the
    // others go on.
    await workbench.waitForTerminalText(/down-1 +app\.log │ .*down-1\b/, 60_000);
    const more = next + 2;
    await workbench.waitForTerminalNumber(/web-2 +app\.log │ .*request (\d+) handled/, more, 30_000);

    // Disconnect on the host that keeps failing stops its retries; the others go on.
    await workbench.runContextMenuItem('Hosts', DOWN, 'Disconnect');
    await workbench.waitForTerminalText(/Disconnected from down-1\. Press r to follow again\./, 30_000);
    await workbench.waitForTreeItem('Hosts', (row) => row.label === DOWN && row.description === '', `${DOWN} shown idle`);
    const later = next + 2;
    await workbench.waitForTerminalNumber(/web-1 +app\.log │ .*request (\d+) handled/, later, 30_000);
    await workbench.screenshot('logs-multi-host');
  });
});
