// The Incident panel against hostile host text and the production guard, in a real VS Code:
// a log line carrying <script>, an <img onerror> and OSC sequences reaches the timeline through a
// saved excerpt and shows as characters, running nothing; the panel's drift section lists a file
// patched on the box, opens its diff and brings it into the hotfix branch; then the hotfix branch is
// deployed to the production-tagged host (real sshd on loopback), the guard asks, the answer goes
// on the timeline, and step 3's "deployed" and "verified" tick themselves. The tests run in order.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { makeTempDir, startSandboxHost, type SandboxHost } from '../../harness/index';
import { openSession, type Session } from '../lib/session';
import { until } from '../lib/workbench';

const HOST = 'web-1';
const MARKER = 'marker-7f3a';
const HOSTILE = `2026-12-02 03:00:00 ERROR <script>window.__ffPwned=1</script><img src=x onerror="window.__ffPwned=2"> \u001b]0;owned\u0007 \u001b]8;;http://evil.example/\u0007link\u001b]8;;\u0007 checkout failed ${MARKER}`;

describe('the Incident panel: hostile log text and the production guard', () => {
  let sandbox: SandboxHost;
  let session: Session;
  let guide: Frame;
  const hostDir = makeTempDir('e2e-guard-host');
  const appLog = path.join(hostDir, 'app.log');
  const dialogs: string[] = [];
  let incidentId = '';

  before(async () => {
    sandbox = await startSandboxHost({ name: HOST });
    writeFileSync(appLog, '2026-12-02 02:59:59 INFO checkout ok\n');
    session = await openSession({
      name: 'incident-guard',
      workspaceFiles: {
        'app.py': 'TIMEOUT = 1\n',
        '.vscode/hosts.json': JSON.stringify(
          {
            hosts: [
              {
                name: HOST,
                tags: ['production'],
                logs: [`${hostDir}/*.log`],
                revisionCommand: `cat ${hostDir}/REVISION`,
                deployDir: `${hostDir}/current`,
                deployCommand: `echo "deploying $FIREFIGHTER_BRANCH"; printf '%s\\n' "$FIREFIGHTER_REVISION" > ${hostDir}/REVISION`,
              },
            ],
          },
          null,
          2,
        ),
        '.vscode/settings.json': JSON.stringify({ 'firefighter.sshConfigFile': sandbox.configFile }, null, 2),
      },
    });
    // The workspace is the repository of the deployed code, and the host runs its first commit.
    const git = (...args: string[]) => execFileSync('git', ['-C', session.workspace, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('-c', 'user.name=E2E', '-c', 'user.email=e2e@localhost', '-c', 'commit.gpgsign=false', 'commit', '-qm', 'release 1');
    writeFileSync(path.join(hostDir, 'REVISION'), 'main\n');
    // Deployed as a copy of the tree, then fixed by hand on the box: the drift the panel lists.
    mkdirSync(path.join(hostDir, 'current'));
    execFileSync('sh', ['-c', `git -C '${session.workspace}' archive HEAD | tar -x -C '${hostDir}/current'`]);
    writeFileSync(path.join(hostDir, 'current', 'app.py'), 'TIMEOUT = 30  # patched on the box\n');
    session.workbench.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await session.workbench.openViewContainer('Firefighter');
    await session.workbench.waitForTreeItem('Hosts', (row) => row.label === HOST, `host ${HOST}`);
  });

  after(async () => {
    await session?.close();
    await sandbox?.stop();
  });

  test('a log line with <script>, <img onerror> and OSC sequences reaches the timeline as characters and runs nothing', async () => {
    const { workbench } = session;
    const { page } = workbench;
    await workbench.runCommand('Firefighter: Start Incident');
    await workbench.answerInputBox(/Start Incident \(1\/4\)/, 'Checkout is failing');
    await workbench.pickQuickItem('SEV2');
    await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: /3\/4/ }).waitFor();
    await page.keyboard.press('Enter');
    await workbench.answerInputBox(/Start Incident \(4\/4\)/, 'ana');
    await until(async () => {
      const dir = path.join(session.workspace, 'incidents');
      incidentId = (existsSync(dir) ? readdirSync(dir) : []).find((name) => /^\d{4}-\d\d-\d\d-checkout-is-failing$/.test(name)) ?? '';
      return incidentId !== '';
    }, 'the incident folder');

    await workbench.runCommand('Firefighter: Tail Log…');
    await workbench.pickQuickItem(HOST);
    await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: appLog }).first().waitFor({ timeout: 60_000 });
    await workbench.pickQuickItem(appLog);
    await page.keyboard.press('Enter');
    await workbench.answerInputBox(/Filter for/, '');
    await workbench.waitForTerminalText(/checkout ok/, 60_000);
    appendFileSync(appLog, `${HOSTILE}\n`);
    await workbench.waitForTerminalText(new RegExp(MARKER), 60_000);
    await page.locator('.part.panel .terminal-wrapper.active .xterm').click();
    await page.keyboard.press('s');
    await workbench.answerInputBox(/Save Log Excerpt/, '2');
    await workbench.waitForNotification(/Saved 2 lines of web-1:.*app\.log/);

    await workbench.runCommand('Firefighter: Focus on Incident View');
    guide = await workbench.webviewFrame('guide.js', 60_000);
    const entry = guide.locator('.entry .what').filter({ hasText: MARKER }).first();
    await entry.waitFor({ timeout: 60_000 });
    const text = (await entry.textContent()) ?? '';
    assert.match(
      text,
      /Saved a log excerpt of 2 lines from .*app\.log, ending: .*<script>window\.__ffPwned=1<\/script><img src=x onerror="window\.__ffPwned=2">/,
    );
    assert.match(text, /\]0;owned/, 'the OSC sequence shows as characters');
    assert.doesNotMatch(text, /\u001b|\u0007/, 'no control character reaches the page');
    assert.equal(await guide.locator('#app script, #app img, #app a[href]').count(), 0, 'no element was made from the line');
    assert.equal(await guide.evaluate(() => (window as unknown as { __ffPwned?: number }).__ffPwned), undefined);
    assert.equal(await page.evaluate(() => (window as unknown as { __ffPwned?: number }).__ffPwned), undefined);
    assert.deepEqual(dialogs, [], 'no dialog opened');
    await workbench.screenshot('incident-guard-hostile');
  });

  test('Drift in the panel: a host file changed on the box is listed, its diff opens, and it is brought into the hotfix branch', async () => {
    const { workbench } = session;
    const { page } = workbench;
    await workbench.runCommand('Firefighter: Start Hotfix Branch');
    await workbench.pickQuickItem(HOST);
    await workbench.answerInputBox(/Start Hotfix Branch/, incidentId);
    await workbench.waitForNotification(new RegExp(`Created hotfix/${incidentId}`), 60_000);

    await workbench.runCommand('Firefighter: Focus on Incident View');
    guide = await workbench.webviewFrame('guide.js', 60_000);
    const check = guide.locator(`.drift-host[data-host="${HOST}"] .drift-head button`);
    await check.waitFor({ timeout: 30_000 });
    // Keyboard reachable: focused and pressed with Enter.
    await check.focus();
    await check.press('Enter');
    const file = guide.locator('.drift-file.modified').filter({ hasText: 'app.py' });
    await file.waitFor({ timeout: 60_000 });
    assert.match((await guide.locator(`.drift-host[data-host="${HOST}"] p.how`).textContent()) ?? '', /1 file differs from the repository/);
    await file.scrollIntoViewIfNeeded();
    await workbench.screenshot('incident-guard-drift');
    await file.locator('button', { hasText: 'Diff' }).click();
    await until(
      async () => /app\.py.*↔ web-1/.test((await page.locator('.part.editor .tab.active').getAttribute('aria-label')) ?? ''),
      'the diff of app.py: deployed revision ↔ web-1',
    );
    await file.locator('button', { hasText: 'Bring into hotfix' }).click();
    await workbench.waitForNotification(/app\.py from web-1 is in the work tree of hotfix\//, 60_000);
    assert.equal(readFileSync(path.join(session.workspace, 'app.py'), 'utf8'), 'TIMEOUT = 30  # patched on the box\n');
    // Reviewed and committed on the hotfix branch: the commit the deploy below sends.
    execFileSync('git', [
      '-C',
      session.workspace,
      '-c',
      'user.name=E2E',
      '-c',
      'user.email=e2e@localhost',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-qam',
      "the box's patch",
    ]);
  });

  test('Deploy Hotfix to Host on a production host: the guard asks, its answer is on the timeline, deploy and verify tick themselves', async () => {
    const { workbench } = session;
    const { page } = workbench;
    await workbench.runCommand('Firefighter: Deploy Hotfix to Host…');
    await workbench.pickQuickItem(HOST);
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.filter({ hasText: `${HOST} is a production host` }).waitFor({ timeout: 30_000 });
    await workbench.screenshot('incident-guard-question');
    await dialog.locator('.monaco-button', { hasText: /^Deploy$/ }).click();
    await workbench.waitForNotification(new RegExp(`Deployed hotfix/${incidentId} \\([0-9a-f]{7}\\) to ${HOST}`), 60_000);
    const head = execFileSync('git', ['-C', session.workspace, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    assert.equal(readFileSync(path.join(hostDir, 'REVISION'), 'utf8'), `${head}\n`, 'the deployCommand got the hotfix commit');

    await workbench.runCommand('Firefighter: Verify Fix on Host…');
    await workbench.pickQuickItem(HOST);
    await workbench.waitForNotification(new RegExp(`Verified on ${HOST}: ${HOST} runs [0-9a-f]{7}, the tip of hotfix/`), 60_000);

    await workbench.runCommand('Firefighter: Focus on Incident View');
    guide = await workbench.webviewFrame('guide.js', 60_000);
    await until(
      async () => (await guide.locator('#check-hotfix-deploy').isChecked()) && (await guide.locator('#check-hotfix-verify').isChecked()),
      'step 3 "deployed" and "verified" ticked by the events',
      60_000,
      async () => (await guide.locator('.steps').textContent()) ?? '',
    );
    const guardEntry = guide.locator('.entry .what').filter({ hasText: /Production guard: deploy hotfix\/.* allowed by / });
    await guardEntry.first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('incident-guard-deployed');
  });
});
