// Issue 4's end-to-end story: a host (real sshd on loopback) whose `logs` glob in hosts.json
// matches a log a writer keeps appending to. In the real UI "Tail Log…" lists the file, the
// terminal shows its last lines and then new ones as they are written, keys pause and resume it,
// "Open in editor" shows the buffered lines in a read-only .log document, "Save excerpt" writes
// them into incidents/evidence, a typed path with a filter shows only matching lines, and closing
// the terminals leaves nothing running on the host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { makeTempDir, startSandboxHost, type SandboxHost } from '../../harness/index';
import { openSession, type Session } from '../lib/session';
import { until } from '../lib/workbench';

const HOST = 'web-1';

/** Appends numbered lines to a log every `everyMs` (unless paused); every fifth one is an ERROR. */
class Writer {
  private readonly timer: NodeJS.Timeout;
  private paused = false;

  constructor(
    readonly file: string,
    existing: number,
    everyMs: number,
    public next = 1,
  ) {
    writeFileSync(file, '');
    for (let i = 0; i < existing; i++) this.write();
    this.timer = setInterval(() => this.paused || this.write(), everyMs);
  }

  /** Holds the writer still, so what a terminal shows at its start is known exactly. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  write(): void {
    const n = this.next++;
    appendFileSync(this.file, `2024-05-01T03:00:00Z ${n % 5 === 0 ? 'ERROR' : 'INFO'} checkout request ${n} handled\n`);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function activeTab(page: Page): Promise<string> {
  const tab = page.locator('.part.editor .tabs-container .tab.active');
  return (await tab.count()) ? ((await tab.first().getAttribute('aria-label')) ?? '').trim() : '';
}

async function editorText(page: Page): Promise<string> {
  return (await page.locator('.part.editor .editor-instance .view-lines').first().textContent())?.replace(/\u00a0/g, ' ') ?? '';
}

/** The numbers of the "request N handled" lines on the terminal screen. */
function requestNumbers(screen: string): number[] {
  return [...screen.matchAll(/request (\d+) handled/g)].map((m) => Number(m[1]));
}

/** Follower scripts running on the (loopback) host for `file`. */
function followersOn(file: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(`firefighter-tail ${file}`));
}

describe('Logs in the terminal panel', () => {
  let sandbox: SandboxHost;
  let session: Session;
  const logDir = makeTempDir('e2e-logs');
  const appLog = path.join(logDir, 'app.log');
  const typedLog = path.join(logDir, 'elsewhere', 'checkout.txt');
  const workerLog = path.join(logDir, 'worker.log');
  let app: Writer;
  let typed: Writer;
  let worker: Writer;
  /** The last line of app.log when its terminal started (the writer held still until then). */
  let startedAt = 0;

  before(async () => {
    sandbox = await startSandboxHost({ name: HOST });
    mkdirSync(path.dirname(typedLog));
    app = new Writer(appLog, 30, 300);
    typed = new Writer(typedLog, 12, 300, 10_001);
    worker = new Writer(workerLog, 5, 400, 20_001);
    session = await openSession({
      name: 'logs',
      workspaceFiles: {
        '.vscode/hosts.json': JSON.stringify({ hosts: [{ name: HOST, tags: ['production'], logs: [`${logDir}/*.log`] }] }, null, 2),
        '.vscode/settings.json': JSON.stringify({ 'firefighter.sshConfigFile': sandbox.configFile, 'firefighter.tailLines': 20 }, null, 2),
      },
    });
    await session.workbench.openViewContainer('Firefighter');
    await session.workbench.waitForTreeItem('Hosts', (row) => row.label === HOST, `host ${HOST}`);
  });

  after(async () => {
    app?.stop();
    typed?.stop();
    worker?.stop();
    await session?.close();
    await sandbox?.stop();
  });

  test('"Tail Log…" lists the host\'s logs and the terminal shows the last lines, then new ones as they are written', async () => {
    const { workbench, page } = { workbench: session.workbench, page: session.workbench.page };
    // The writer holds still until the terminal has started, so its first lines are known exactly
    // however long a busy machine takes to open it.
    app.pause();
    const atStart = app.next - 1;
    await workbench.runCommand('Firefighter: Tail Log…');
    await workbench.pickQuickItem(HOST);
    // The list comes from the host: wait for it, then check the file (a click toggles its box).
    await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: appLog }).first().waitFor({ timeout: 60_000 });
    await workbench.pickQuickItem(appLog);
    const description = await page
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ hasText: appLog })
      .first()
      .locator('.label-description')
      .textContent();
    assert.match(description ?? '', /\d+(\.\d)? (B|KiB) · just now/);
    await workbench.screenshot('logs-picker');
    await page.keyboard.press('Enter');
    await workbench.answerInputBox(/Filter for .*app\.log on web-1/, '');

    // The last 20 lines (firefighter.tailLines)...
    const first = await workbench.waitForTerminalText(new RegExp(`request ${atStart} handled`), 60_000);
    assert.ok(!/request 1 handled/.test(first));
    startedAt = atStart;
    // ...then lines written after the terminal opened.
    app.resume();
    await workbench.waitForTerminalNumber(/request (\d+) handled/, atStart + 5, 30_000);
    const numbers = requestNumbers(await workbench.terminalText());
    assert.deepEqual(
      numbers,
      numbers.slice().sort((a, b) => a - b),
      'in order',
    );
    assert.equal(new Set(numbers).size, numbers.length, 'none twice');
    const names = await workbench.terminalNames();
    assert.ok(
      names.some((name) => name.includes(`log · ${HOST} · app.log`)),
      `terminal named after host and file; terminals: ${names}`,
    );
    await workbench.screenshot('logs-terminal');
  });

  test('p pauses and resumes the terminal without losing lines', async () => {
    const { workbench, page } = { workbench: session.workbench, page: session.workbench.page };
    await page.locator('.part.panel .terminal-wrapper.active .xterm').click();
    await page.keyboard.press('p');
    await workbench.waitForTerminalText(/paused: new lines wait on the host/);
    const pausedAt = app.next - 1;
    await page.waitForTimeout(1500);
    await page.keyboard.press('p');
    await workbench.waitForTerminalText(/— resumed —/);
    await workbench.waitForTerminalNumber(/request (\d+) handled/, pausedAt + 6, 30_000);
    const numbers = requestNumbers(await workbench.terminalText());
    const sorted = numbers.slice().sort((a, b) => a - b);
    assert.deepEqual(
      sorted,
      Array.from({ length: sorted.length }, (_, i) => sorted[0] + i),
      `no gap on screen: ${numbers}`,
    );
  });

  test('"Open Log Buffer in Editor" shows the buffered lines in a read-only .log document', async () => {
    const { workbench, page } = { workbench: session.workbench, page: session.workbench.page };
    await workbench.runCommand('Firefighter: Open Log Buffer in Editor');
    let text = '';
    await until(
      async () => /INFO checkout request \d+ handled/.test((text = await editorText(page))),
      "the snapshot's lines in an editor",
      30_000,
      async () => text,
    );
    assert.equal(await activeTab(page), 'app.log');
    // The buffer holds everything shown, from the last 20 lines (firefighter.tailLines) that
    // existed when the terminal started.
    assert.equal(
      requestNumbers(text)[0],
      startedAt - 19,
      `the snapshot starts 20 lines before line ${startedAt}, where the terminal started`,
    );
    const language = (await page.locator('[id="status.editor.mode"]').textContent())?.trim();
    assert.equal(language, 'Log');
    await workbench.screenshot('logs-editor');
  });

  test('"Save Log Excerpt…" writes the newest lines under incidents/evidence', async () => {
    const { workbench, page } = { workbench: session.workbench, page: session.workbench.page };
    await page.locator('.part.panel .terminal-wrapper.active .xterm').click();
    await page.keyboard.press('s');
    await workbench.answerInputBox(/Save Log Excerpt/, '10');
    await workbench.waitForNotification(/Saved 10 lines of web-1:.*app\.log to incidents\/evidence\/web-1-app-\d{8}-\d{6}\.log/);
    const dir = path.join(session.workspace, 'incidents', 'evidence');
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    const lines = readFileSync(path.join(dir, files[0]), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 10);
    const numbers = requestNumbers(lines.join('\n'));
    assert.deepEqual(
      numbers,
      Array.from({ length: 10 }, (_, i) => numbers[0] + i),
    );
  });

  test('a typed path with a filter shows only the matching lines', async () => {
    const { workbench, page } = { workbench: session.workbench, page: session.workbench.page };
    await workbench.runCommand('Firefighter: Tail Log…');
    await workbench.pickQuickItem(HOST);
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(typedLog);
    await workbench.pickQuickItem(typedLog);
    await page.keyboard.press('Enter');
    await workbench.answerInputBox(/Filter for .*checkout\.txt on web-1/, 'ERROR');
    await until(
      async () => (await workbench.terminalNames()).some((name) => name.includes(`log · ${HOST} · checkout.txt`)),
      'a terminal for checkout.txt',
    );
    const next = Math.ceil((typed.next + 1) / 5) * 5;
    const screen = await workbench.waitForTerminalNumber(/ERROR checkout request (\d+) handled/, next, 30_000);
    const shown = screen.split('\n').filter((line) => /request \d+ handled/.test(line));
    assert.ok(shown.length >= 2, `the earlier ERROR lines too: ${screen}`);
    assert.ok(
      shown.every((line) => /ERROR/.test(line)),
      `only ERROR lines: ${shown.join('\n')}`,
    );
    await workbench.screenshot('logs-filtered');
  });

  test('two logs in one merged terminal, each line prefixed; / changes the filter while following', async () => {
    const { workbench, page } = { workbench: session.workbench, page: session.workbench.page };
    await workbench.runCommand('Firefighter: Tail Log…');
    await workbench.pickQuickItem(HOST);
    await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: workerLog }).first().waitFor({ timeout: 60_000 });
    await workbench.pickQuickItem(appLog);
    await workbench.pickQuickItem(workerLog);
    await page.keyboard.press('Enter');
    await workbench.pickQuickItem('One merged terminal');
    await workbench.answerInputBox(/Filter for 2 logs on web-1/, '');
    await until(
      async () => (await workbench.terminalNames()).some((name) => name.includes(`log · ${HOST} · 2 files`)),
      'a terminal for both files',
    );
    await workbench.waitForTerminalText(/web-1 worker\.log │ .*request \d+ handled/, 30_000);
    await workbench.waitForTerminalText(/web-1 app\.log {4}│ .*request \d+ handled/, 30_000);

    await page.locator('.part.panel .terminal-wrapper.active .xterm').click();
    await page.keyboard.press('/');
    await workbench.answerInputBox(/Filter for log · web-1 · 2 files/, '/error/i');
    await workbench.waitForTerminalText(/filter \/error\/i from the next line on/);
    const nextWorkerError = Math.ceil((worker.next + 1) / 5) * 5;
    const screen = await workbench.waitForTerminalNumber(
      /web-1 worker\.log │ .*ERROR checkout request (\d+) handled/,
      nextWorkerError,
      30_000,
    );
    const after = screen.slice(screen.lastIndexOf('from the next line on'));
    const shown = after.split('\n').filter((line) => /request \d+ handled/.test(line));
    assert.ok(shown.length > 0 && shown.every((line) => /ERROR/.test(line)), `only ERROR lines after the change: ${after}`);
    await workbench.screenshot('logs-merged');
  });

  test('closing the log terminals leaves nothing running on the host', async () => {
    const { workbench } = session;
    assert.ok(followersOn(appLog).length > 0, 'a follower runs for app.log while its terminal is open');
    await workbench.runCommand('Terminal: Kill All Terminals');
    const running = () => [appLog, typedLog, workerLog].flatMap(followersOn);
    await until(
      async () => running().length === 0,
      'the follower scripts to end on the host',
      20_000,
      async () => running().join('\n'),
    );
  });
});
