// Issue 3's end-to-end story: a host (real sshd on loopback) whose deployed revision is two commits
// behind the workspace's HEAD prints a Python traceback with paths under
// /srv/app/releases/<sha>/. In the real UI the frame is a terminal link; Ctrl+click opens the
// workspace file with the cursor on the line (moved onto HEAD, or at the deployed commit,
// depending on firefighter.revisionMode), and "Analyze Stack Trace…" lists the frames.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { makeTempDir, startSandboxHost, type SandboxHost } from '../../harness/index';
import { REPO_ROOT } from '../lib/paths';
import { openSession, type Session } from '../lib/session';
import { until } from '../lib/workbench';
import { initGitRepo } from '../../support/gitRepo';

const HOST = 'web-1';

const VIEWS_AT_DEPLOY = [
  '"""Checkout views."""',
  'from app.models import price',
  '',
  '',
  'def load(request):',
  '    return request.user',
  '',
  '',
  'def handle(request):',
  '    user = load(request)',
  '    # the cart total, divided over the items',
  '    total = price(user)',
  '    return total',
  '',
].join('\n');

const MODELS = [
  '"""Prices."""',
  '',
  '',
  'def price(user):',
  '    items = len(user.cart)',
  '    cost = sum(item.cost for item in user.cart)',
  '    return cost / items',
  '',
].join('\n');

function traceback(sha: string): string {
  return [
    'Traceback (most recent call last):',
    '  File "/srv/app/venv/lib/python3.11/site-packages/flask/app.py", line 1484, in full_dispatch_request',
    '    rv = self.dispatch_request()',
    `  File "/srv/app/releases/${sha}/app/views.py", line 12, in handle`,
    '    total = price(user)',
    `  File "/srv/app/releases/${sha}/app/models.py", line 7, in price`,
    '    return cost / items',
    'ZeroDivisionError: division by zero',
    '',
  ].join('\n');
}

/** Text of the status bar's "Ln N, Col M" item. */
async function cursorPosition(page: Page): Promise<string> {
  return ((await page.locator('[id="status.editor.selection"]').textContent()) ?? '').trim();
}

/** The active editor tab's title (its aria-label: the label element splits off the extension). */
async function activeTab(page: Page): Promise<string> {
  const tab = page.locator('.part.editor .tabs-container .tab.active');
  const label = (await tab.count()) ? ((await tab.first().getAttribute('aria-label')) ?? '') : '';
  return label.replace(/, preview$/, '').trim();
}

async function statusBarText(page: Page): Promise<string> {
  return (await page.locator('.part.statusbar').textContent()) ?? '';
}

/** Waits until the active editor tab is `title` with the cursor at `position` ("Ln 14, Col 1"). */
async function waitForEditor(page: Page, title: string, position: string): Promise<void> {
  await until(
    async () => (await activeTab(page)) === title && (await cursorPosition(page)) === position,
    `the editor to show ${title} at ${position}`,
    30_000,
    async () => `tab "${await activeTab(page)}", "${await cursorPosition(page)}"`,
  );
}

/** Ctrl+click on the first occurrence of `needle` in the visible terminal, as a user follows a link:
 * hover first (xterm asks the link providers on hover), then click with the modifier, until
 * `opened()` holds. */
async function followTerminalLink(page: Page, needle: string, opened: () => Promise<boolean>): Promise<void> {
  await until(
    async () => {
      const point = await page.evaluate((text) => {
        const rows = Array.from(document.querySelectorAll('.part.panel .terminal-wrapper.active .xterm-rows > div'));
        for (const row of rows) {
          const at = (row.textContent ?? '').indexOf(text);
          if (at < 0) continue;
          const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
          let offset = 0;
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const length = node.textContent?.length ?? 0;
            if (at < offset + length) {
              const range = document.createRange();
              range.setStart(node, at - offset);
              range.setEnd(node, at - offset + 1);
              const rect = range.getBoundingClientRect();
              return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
            }
            offset += length;
          }
        }
        return null;
      }, needle);
      if (!point) return false;
      await page.mouse.move(point.x - 3, point.y);
      await page.mouse.move(point.x, point.y);
      await page.waitForTimeout(400);
      await page.keyboard.down('Control');
      await page.mouse.click(point.x, point.y);
      await page.keyboard.up('Control');
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline) {
        if (await opened()) return true;
        await page.waitForTimeout(200);
      }
      return false;
    },
    `the terminal link on "${needle}" to open its file`,
    45_000,
  );
}

/** The Node trace the clipboard test analyses; a past incident (below) had it. */
const NODE_TRACE = [
  "TypeError: Cannot read properties of undefined (reading 'cost')",
  '    at total (/srv/app/releases/abc/app/cart.js:3:19)',
  '    at Array.map (<anonymous>)',
  '',
].join('\n');

/**
 * A past incident in the workspace's incidents/ folder, written by the CLI the way a runbook would,
 * with the Node trace pasted into a note: its files, by path relative to the workspace.
 */
async function pastIncidentFiles(): Promise<Record<string, string>> {
  const repo = makeTempDir('e2e-past-incident');
  await mkdir(path.join(repo, 'incidents'));
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'dist/cli.js'), ...args], { cwd: repo, encoding: 'utf8' });
  const id = cli('incident', 'start', '--title', 'Cart totals crash', '--severity', 'SEV3').trim();
  cli('incident', 'note', id, `the cart sends items without a cost\n${NODE_TRACE}`, '--kind', 'decision');
  cli('incident', 'milestone', id, 'resolved');
  const files: Record<string, string> = {};
  for (const entry of await readdir(path.join(repo, 'incidents'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files[path.relative(repo, file)] = await readFile(file, 'utf8');
  }
  return files;
}

describe('Stack traces to the source line', () => {
  let sandbox: SandboxHost;
  let session: Session;
  let deployed = '';
  let traceFile = '';
  const release = makeTempDir('e2e-release');

  const settings = (revisionMode: 'head' | 'deployed') =>
    JSON.stringify({ 'firefighter.sshConfigFile': sandbox.configFile, 'firefighter.revisionMode': revisionMode }, null, 2);

  before(async () => {
    sandbox = await startSandboxHost({ name: HOST });
    session = await openSession({
      name: 'traces',
      workspaceFiles: {
        ...(await pastIncidentFiles()),
        'app/views.py': VIEWS_AT_DEPLOY,
        'app/models.py': MODELS,
        '.vscode/hosts.json': JSON.stringify(
          { hosts: [{ name: HOST, tags: ['production'], revisionCommand: `cat ${release}/REVISION` }] },
          null,
          2,
        ),
        '.vscode/settings.json': settings('head'),
      },
    });
    // The workspace's history: the deployed release, then two lines added at the top of views.py.
    const git = initGitRepo(session.workspace);
    git('add', 'app');
    git('commit', '-q', '-m', 'release');
    deployed = git('rev-parse', 'HEAD');
    await writeFile(path.join(session.workspace, 'app/views.py'), `import logging\n\n${VIEWS_AT_DEPLOY}`);
    git('commit', '-q', '-am', 'logging');
    await writeFile(path.join(release, 'REVISION'), `${deployed}\n`);
    traceFile = path.join(release, 'trace.txt');
    await writeFile(traceFile, traceback(deployed.slice(0, 10)));
    // Two identical traces (as a log repeats them) for the Analyze view's grouping.
    await writeFile(path.join(session.workspace, 'incident.log'), `${traceback(deployed.slice(0, 10))}${traceback(deployed.slice(0, 10))}`);
    await session.workbench.openViewContainer('Firefighter');
    await session.workbench.waitForTreeItem('Hosts', (row) => row.label === HOST, `host ${HOST}`);
  });

  after(async () => {
    await session?.close();
    await sandbox?.stop();
  });

  test("a frame printed in the host's terminal opens the workspace file, its line moved onto HEAD", async () => {
    const { workbench } = session;
    const page = workbench.page;
    await workbench.runCommand('Firefighter: Open Shell on Host');
    await workbench.pickQuickItem(HOST);
    await workbench.waitForTerminalText(/[$#]\s*$/m, 60_000);
    await page.keyboard.type(`cat ${traceFile}\n`);
    await workbench.waitForTerminalText(/ZeroDivisionError: division by zero/);
    await workbench.screenshot('terminal-traceback');

    // views.py:12 at the deployed commit is line 14 at HEAD (two lines were added above it).
    await followTerminalLink(page, 'views.py', async () => (await activeTab(page)) === 'views.py');
    await waitForEditor(page, 'views.py', 'Ln 14, Col 1');
    // The status message follows the editor by a moment: wait for it rather than read it once.
    const moved = new RegExp(`views\\.py:12 at deployed ${deployed.slice(0, 7)} on ${HOST} is line 14 at HEAD \\(1 commit behind HEAD\\)`);
    await until(
      async () => moved.test(await statusBarText(page)),
      'the status bar to say where the line moved',
      15_000,
      () => statusBarText(page),
    );
    await workbench.screenshot('frame-opened-at-head');
  });

  test('with revisionMode "deployed" the frame opens read-only at the deployed commit', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await writeFile(path.join(session.workspace, '.vscode/settings.json'), settings('deployed'));
    await page.waitForTimeout(1500); // the configuration watcher picks the file up
    await workbench.page.locator('.part.panel .terminal-wrapper.active').click();
    await followTerminalLink(page, 'views.py', async () => (await statusBarText(page)).includes(`${HOST} @ ${deployed.slice(0, 7)}`));
    await waitForEditor(page, 'views.py', 'Ln 12, Col 1');
    await until(
      async () => /read-only/.test(await statusBarText(page)),
      'the status bar to say read-only',
      15_000,
      () => statusBarText(page),
    );
    await workbench.screenshot('frame-opened-at-deployed');
  });

  test('"Analyze Stack Trace…" lists the exception and its frames, grouped, and a frame opens its source', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('incident.log');
    await workbench.pickQuickItem('incident.log');
    await until(
      async () => (await activeTab(page)) === 'incident.log',
      'incident.log to open',
      30_000,
      () => activeTab(page),
    );
    await page.locator('.part.editor .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+A');
    // From the palette, without Workbench.runCommand's Escape (which would clear the selection).
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget .quick-input-box input').fill('>Firefighter: Analyze Stack Trace…');
    await workbench.pickQuickItem('Firefighter: Analyze Stack Trace…');
    // web-1 declares its revision, so the command asks which host printed the trace.
    await workbench.pickQuickItem('No host');

    const trace = await workbench.waitForTreeItem(
      'Stack Traces',
      (row) => row.label === 'ZeroDivisionError: division by zero',
      'the exception',
    );
    assert.match(trace.description, /python · ×2/);
    const rows = await workbench.treeItems('Stack Traces');
    const frames = rows.filter((row) => row.level === 2);
    // Innermost first, application frames before library frames.
    assert.deepEqual(
      frames.map((row) => row.label),
      ['price', 'handle', 'full_dispatch_request'],
    );
    assert.match(frames[0].description, /^app\/models\.py:7 · path suffix$/);
    assert.match(frames[1].description, /^app\/views\.py:12 · path suffix$/);
    assert.match(frames[2].description, /^app\.py:1484 · unmapped$/);
    assert.match(frames[2].ariaLabel, /library frame/);
    // The library frame is dimmed with a theme colour (a file decoration on its label).
    const colorOf = (label: string) =>
      workbench
        .treeRow('Stack Traces', label)
        .locator('.label-name')
        .evaluate((e) => getComputedStyle(e).color);
    // File decorations arrive after the rows are drawn: wait for the dimmed colour.
    await until(
      async () => (await colorOf('full_dispatch_request')) !== (await colorOf('handle')),
      'the library frame dimmed',
      30_000,
      async () => `${await colorOf('full_dispatch_request')} vs ${await colorOf('handle')}`,
    );
    await workbench.screenshot('stack-traces-view');

    await workbench.treeRow('Stack Traces', 'price').click();
    await waitForEditor(page, 'models.py', 'Ln 7, Col 1');
    await workbench.screenshot('frame-opened-from-view');
  });

  test('an ambiguous frame asks which file, and the answer saved as a path mapping opens it directly next time', async () => {
    const { workbench } = session;
    const page = workbench.page;
    // A second app/views.py appears: the watcher adds it to the index, and the suffix is no longer unique.
    await mkdir(path.join(session.workspace, 'legacy/app'), { recursive: true });
    await writeFile(path.join(session.workspace, 'legacy/app/views.py'), VIEWS_AT_DEPLOY);
    await page.waitForTimeout(1500);
    await workbench.page.locator('.part.panel .terminal-wrapper.active').click();
    const picker = page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: /^\s*views\.py\s*$/ }) });
    await followTerminalLink(page, 'views.py', async () => (await picker.count()) >= 2);
    const offered = await picker.locator('.label-description').allTextContents();
    assert.deepEqual(offered.map((d) => d.trim()).sort(), ['app/views.py', 'legacy/app/views.py']);
    await workbench.screenshot('ambiguous-pick');
    await picker.filter({ has: page.locator('.label-description', { hasText: /^\s*app\/views\.py\s*$/ }) }).click();
    await waitForEditor(page, 'views.py', 'Ln 12, Col 1');

    const offer = await workbench.waitForNotification(
      /Open frames under \/srv\/app\/releases\/\w+ from \$\{workspaceFolder\} from now on\?/,
    );
    assert.ok(offer);
    await page
      .locator('.notifications-toasts .notification-list-item')
      .filter({ hasText: 'Open frames under' })
      .locator('.monaco-button', { hasText: 'Save for All Hosts' })
      .click();
    const settingsFile = path.join(session.workspace, '.vscode/settings.json');
    let saved: { remoteRoot: string; localRoot: string }[] = [];
    await until(async () => {
      saved = JSON.parse(await readFile(settingsFile, 'utf8'))['firefighter.pathMappings'] ?? [];
      return saved.length > 0;
    }, 'the path mapping in .vscode/settings.json');
    assert.deepEqual(saved, [{ remoteRoot: `/srv/app/releases/${deployed.slice(0, 10)}`, localRoot: '${workspaceFolder}' }]);

    // Next time the rule maps it: no question, the file opens.
    await workbench.runCommand('View: Close All Editors');
    await workbench.page.locator('.part.panel .terminal-wrapper.active').click();
    await followTerminalLink(page, 'views.py', async () => (await activeTab(page)) === 'views.py');
    await waitForEditor(page, 'views.py', 'Ln 12, Col 1');
    assert.equal(await picker.filter({ visible: true }).count(), 0, 'no quick pick this time');
    await workbench.screenshot('mapped-by-saved-rule');
  });

  test('"Analyze Stack Trace…" reads a trace from the clipboard, says which past incident saw it, and otherwise opens a box that analyzes what is pasted', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const copy = (text: string) => page.evaluate((t) => navigator.clipboard.writeText(t), text);
    const nodeTrace = NODE_TRACE;
    await writeFile(path.join(session.workspace, 'app/cart.js'), 'module.exports = (items) =>\n  items\n    .map((i) => i.cost);\n');

    await copy(nodeTrace);
    await workbench.runCommand('View: Close All Editors');
    await workbench.runCommand('Firefighter: Analyze Stack Trace…');
    await workbench.pickQuickItem('No host');
    const fromClipboard = await workbench.waitForTreeItem(
      'Stack Traces',
      (row) => row.label.startsWith('TypeError: Cannot read properties'),
      "the clipboard's trace",
    );
    assert.equal(fromClipboard.description, 'javascript');
    await workbench.waitForTreeItem(
      'Stack Traces',
      (row) => row.label === 'total' && /app\/cart\.js:3 · path suffix/.test(row.description),
      'the mapped frame',
    );
    // The workspace's incidents/ holds a past incident with this very trace: VS Code says so.
    await workbench.waitForNotification(
      /TypeError was seen before in \d{4}-\d{2}-\d{2}-cart-totals-crash .Cart totals crash. \(same trace [0-9a-f]+\)/,
    );
    await workbench.screenshot('seen-before');

    // No trace in the clipboard: a paste box opens, and pasting a trace into it analyzes it.
    await copy('nothing to see here');
    await workbench.runCommand('Firefighter: Analyze Stack Trace…');
    await until(
      async () => /^Untitled-\d+$/.test(await activeTab(page)),
      'the paste box',
      30_000,
      () => activeTab(page),
    );
    await copy(traceback('0123abcd'));
    await page.locator('.part.editor .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+V');
    await workbench.pickQuickItem('No host');
    await workbench.waitForTreeItem(
      'Stack Traces',
      (row) => row.label === 'ZeroDivisionError: division by zero' && row.description === 'python',
      'the pasted trace',
    );
    await workbench.screenshot('paste-box');
  });
});
