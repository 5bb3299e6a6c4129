// Drives the VS Code workbench in Chromium the way a user does: activity bar, command palette,
// tree views, terminals, notifications. Selectors are VS Code's own DOM classes (1.139).
import path from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { CHROMIUM } from './paths';

/** Flags Chromium needs on these machines: root (no sandbox), no GPU, and no calls home, which the
 * closed network refuses. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const WORKBENCH_TIMEOUT_MS = 90_000;
const DEFAULT_TIMEOUT_MS = 30_000;

export interface TreeItem {
  label: string;
  description: string;
  /** What a screen reader announces: label, description and anything the extension adds. */
  ariaLabel: string;
  /** 1 for top-level items. */
  level: number;
  /** undefined for leaves. */
  expanded: boolean | undefined;
}

export class Workbench {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    private readonly screenshotDir: string,
  ) {}

  /** Launches Chromium, opens `url` and waits until the workbench is laid out. */
  static async open(url: string, screenshotDir: string): Promise<Workbench> {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      page.setDefaultTimeout(DEFAULT_TIMEOUT_MS);
      await page.goto(url, { timeout: WORKBENCH_TIMEOUT_MS });
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
      return new Workbench(browser, page, screenshotDir);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** "Developer: Reload Window": a fresh workbench and extension host on the same server. */
  async reload(): Promise<void> {
    await this.runCommand('Developer: Reload Window');
    await this.page.waitForEvent('load', { timeout: WORKBENCH_TIMEOUT_MS });
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /** Saves a PNG of the whole window; returns its path. */
  async screenshot(name: string): Promise<string> {
    const file = path.join(this.screenshotDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The activity-bar entry of a view container, found by its title (e.g. "Firefighter"). */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${cssString(title)}"]`);
  }

  /** Clicks a view container's activity-bar entry unless its side bar is already showing. */
  async openViewContainer(title: string): Promise<void> {
    if (!(await this.sideBarTitle()).toLowerCase().startsWith(title.toLowerCase())) {
      await this.activityBarItem(title).click();
    }
    await until(async () => (await this.sideBarTitle()).toLowerCase().startsWith(title.toLowerCase()), `the side bar to show ${title}`);
  }

  /** The side bar's heading as VS Code writes it (e.g. "Firefighter" or "Firefighter: Hosts"). */
  async sideBarTitle(): Promise<string> {
    const heading = this.page.locator('.part.sidebar .composite.title .title-label h2');
    return (await heading.count()) ? ((await heading.first().textContent()) ?? '') : '';
  }

  /** Names of the views in the open side bar, as their headers show them. */
  async viewNames(): Promise<string[]> {
    const names = await this.page.locator('.part.sidebar .pane-header h3.title').allTextContents();
    return names.map((name) => name.trim());
  }

  /** The body of a view in the side bar, found by its name (e.g. "Hosts"). */
  view(name: string): Locator {
    return this.page
      .locator('.part.sidebar .pane')
      .filter({ has: this.page.locator('.pane-header h3.title', { hasText: exactly(name) }) })
      .locator('.pane-body');
  }

  /** The rows a tree view currently renders, top to bottom. */
  async treeItems(viewName: string): Promise<TreeItem[]> {
    // No named helper functions inside: tsx compiles them with a `__name` wrapper that does not
    // exist in the page.
    return this.view(viewName)
      .locator('.monaco-list-row')
      .evaluateAll((rows) =>
        rows.map((row) => ({
          label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
          description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
          ariaLabel: row.getAttribute('aria-label') ?? '',
          level: Number(row.getAttribute('aria-level') ?? '1'),
          expanded: row.hasAttribute('aria-expanded') ? row.getAttribute('aria-expanded') === 'true' : undefined,
        })),
      );
  }

  /** Polls a tree view until one of its rows satisfies `predicate`; returns that row. */
  async waitForTreeItem(
    viewName: string,
    predicate: (item: TreeItem) => boolean,
    what: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<TreeItem> {
    let found: TreeItem | undefined;
    await until(
      async () => {
        found = (await this.treeItems(viewName)).find(predicate);
        return found !== undefined;
      },
      `${what} in the ${viewName} view`,
      timeoutMs,
      async () => JSON.stringify(await this.treeItems(viewName), null, 1),
    );
    return found!;
  }

  /** The row element of a tree item, by its label. */
  treeRow(viewName: string, label: string): Locator {
    return this.view(viewName)
      .locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) })
      .first();
  }

  /** Expands a collapsed tree item (a click on a collapsed row toggles it). */
  async expandTreeItem(viewName: string, label: string): Promise<void> {
    const row = this.treeRow(viewName, label);
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    await until(async () => (await row.getAttribute('aria-expanded')) === 'true', `${label} to expand`);
  }

  /** Right-clicks a tree row and chooses `item` (its label's start) in the context menu. */
  async runContextMenuItem(viewName: string, rowLabel: string, item: string): Promise<void> {
    await this.runContextMenuItemOn(this.treeRow(viewName, rowLabel), rowLabel, item);
  }

  /** The same, on a row found another way (a label that changes, like a process's CPU share). */
  async runContextMenuItemOn(row: Locator, rowLabel: string, item: string): Promise<void> {
    await row.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    const entry = menu
      .locator('.action-item')
      .filter({ hasText: new RegExp(`^\\s*${escapeRegExp(item)}`) })
      .first();
    await entry.waitFor();
    // A menu item ignores mouse-up for its first 100 ms (so the right-click's own release does
    // not pick it); a click that lands then is dropped, so click until the menu closes.
    await until(async () => {
      await entry.click({ timeout: 1_000 }).catch(() => undefined);
      return (await menu.count()) === 0;
    }, `the context menu of ${rowLabel} to run "${item}"`);
  }

  /** Runs a command from the command palette by its full title, as a user would: F1, type, pick. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.pickQuickItem(title);
  }

  /** Chooses the entry with exactly this label in the open quick pick (palette, host picker...). */
  async pickQuickItem(label: string): Promise<void> {
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const row = rows.filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) }).first();
    try {
      await row.waitFor();
    } catch {
      const offered = await rows.locator('.label-name').allTextContents();
      throw new Error(`the quick pick offers no "${label}"; it offers: ${JSON.stringify(offered)}`);
    }
    await row.click();
  }

  /** Answers the open input box with `text` once its title matches (e.g. an optional filter). */
  async answerInputBox(title: RegExp, text: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    await until(
      async () =>
        title.test(
          (await widget
            .locator('.quick-input-title')
            .textContent()
            .catch(() => '')) ?? '',
        ),
      `an input box titled ${title}`,
    );
    const input = widget.locator('.quick-input-box input');
    await input.fill(text);
    await input.press('Enter');
  }

  /** Labels in the open quick pick, once it shows at least one. */
  async quickPickItems(): Promise<string[]> {
    const labels = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
    await labels.first().waitFor();
    return (await labels.allTextContents()).map((label) => label.trim());
  }

  /** Text of the visible terminal, one line per row (needs `terminal.integrated.gpuAcceleration`
   * "off", which makes xterm render rows as DOM instead of on a canvas). */
  async terminalText(): Promise<string> {
    const rows = this.page.locator('.part.panel .terminal-wrapper.active .xterm-rows > div');
    const lines = await rows.allTextContents();
    return lines.map((line) => line.replace(/\u00a0/g, ' ').trimEnd()).join('\n');
  }

  /** Waits until the visible terminal shows text matching `pattern`; returns the whole screen. */
  async waitForTerminalText(pattern: RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    let screen = '';
    await until(
      async () => pattern.test((screen = await this.terminalText())),
      `the terminal to show ${pattern}`,
      timeoutMs,
      async () => screen,
    );
    return screen;
  }

  /**
   * Waits until the visible terminal shows a line whose number (the first capture of `pattern`) is
   * at least `least`: any line written after that point will do, so a line that scrolled away
   * between two reads of a busy machine's screen cannot make the wait miss. Returns the screen.
   */
  async waitForTerminalNumber(pattern: RegExp, least: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    let screen = '';
    await until(
      async () => [...(screen = await this.terminalText()).matchAll(global)].some((m) => Number(m[1]) >= least),
      `the terminal to show ${pattern} with a number of at least ${least}`,
      timeoutMs,
      async () => screen,
    );
    return screen;
  }

  /**
   * The frame of the webview whose page loads `dist/webview/<script>` (a webview view or panel):
   * webviews are iframes inside iframes, found by what they load rather than by position.
   */
  async webviewFrame(script: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame> {
    let found: Frame | undefined;
    await until(
      async () => {
        for (const frame of this.page.frames()) {
          const loads = await frame
            .evaluate((name) => document.querySelector(`script[src*="${name}"]`) !== null, script)
            .catch(() => false);
          if (loads) {
            found = frame;
            return true;
          }
        }
        return false;
      },
      `a webview that loads ${script}`,
      timeoutMs,
    );
    return found!;
  }

  /** Names of the terminals in the panel's tab list. */
  async terminalNames(): Promise<string[]> {
    const tabs = this.page.locator('.part.panel .terminal-tabs-entry .label-name');
    if (await tabs.count()) return (await tabs.allTextContents()).map((name) => name.trim());
    // A single terminal has no tab list: its name is in the panel's terminal dropdown/title.
    const single = this.page.locator('.part.panel .single-terminal-tab .label-name, .part.panel .single-terminal-tab');
    return (await single.allTextContents()).map((name) => name.trim()).filter(Boolean);
  }

  /** Messages of the notification toasts on screen. */
  async notifications(): Promise<string[]> {
    const messages = this.page.locator('.notifications-toasts .notification-list-item-message');
    return (await messages.allTextContents()).map((message) => message.trim());
  }

  /** Waits for a notification toast whose message matches `pattern`; returns its message. */
  async waitForNotification(pattern: RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    let match: string | undefined;
    await until(
      async () => {
        match = (await this.notifications()).find((message) => pattern.test(message));
        return match !== undefined;
      },
      `a notification matching ${pattern}`,
      timeoutMs,
      async () => JSON.stringify(await this.notifications()),
    );
    return match!;
  }

  /** Activation time of an extension as "Developer: Show Running Extensions" reports it
   * (code loading + activate() call), in milliseconds. The extension must have activated. */
  async activationTimeMs(displayName: string): Promise<number> {
    await this.runCommand('Developer: Show Running Extensions');
    const list = this.page.locator('.runtime-extensions-editor .monaco-list');
    const row = list.locator('.extension').filter({ has: this.page.locator('.name', { hasText: exactly(displayName) }) });
    await list.waitFor();
    // The list is virtualised and sorted slowest first: scroll until the row is rendered.
    await list.hover();
    await until(async () => {
      if (await row.count()) return true;
      await this.page.mouse.wheel(0, 300);
      return false;
    }, `${displayName} in Running Extensions`);
    const time = row.locator('.activation-time');
    let text = '';
    await until(
      async () => /\d+\s*ms/.test((text = (await time.textContent()) ?? '')),
      `${displayName}'s activation time in Running Extensions`,
      DEFAULT_TIMEOUT_MS,
      async () => text,
    );
    return Number(/(\d+)\s*ms/.exec(text)![1]);
  }
}

/** Polls `condition` every 250 ms until it holds; the error names `what` and, if given, `detail()`. */
export async function until(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  detail?: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      const extra = detail ? `; last seen: ${await detail()}` : '';
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${extra}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}
