// The README's main job, end to end: the demo brings up the sandbox production host with the
// misbehaving service, VS Code shows it connected with the service busy, its log follows in a
// terminal as the service writes it, and Ctrl-C leaves nothing running.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS_DIR, REPO_ROOT } from '../lib/paths';
import { until, Workbench } from '../lib/workbench';

const HOST = 'checkout-prod-1';

/** Pids of live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function isListening(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the demo', () => {
  const demoDir = mkdtempSync(path.join(os.tmpdir(), 'firefighter-demo-e2e-'));
  let demo: ChildProcess;
  let output = '';
  let workbench: Workbench | undefined;

  before(async () => {
    demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, FIREFIGHTER_DEMO_DIR: demoDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(async () => /Open (http:\S+)/.test(output) || demo.exitCode !== null, 'the demo to print its URL', 180_000, async () => output);
    assert.equal(demo.exitCode, null, output);
  });

  after(async () => {
    await workbench?.close();
    if (demo.exitCode === null) demo.kill('SIGKILL');
    rmSync(demoDir, { recursive: true, force: true });
  });

  test('VS Code shows the sandbox host connected, with the checkout service among its busiest processes', async () => {
    const url = /Open (http:\S+)/.exec(output)![1];
    workbench = await Workbench.open(url, path.join(ARTIFACTS_DIR, 'demo'));
    await workbench.openViewContainer('Firefighter');
    const host = await workbench.waitForTreeItem('Hosts', (row) => row.label === HOST, HOST);
    assert.match(`${host.description} ${host.ariaLabel}`, /production/);
    await workbench.expandTreeItem('Hosts', HOST);
    await workbench.waitForTreeItem('Hosts', (row) => /^load \d/.test(row.label), 'load figures', 60_000);
    await workbench.waitForTreeItem('Hosts', (row) => /python3 .*app\.py/.test(row.label), 'the checkout service in the top processes', 60_000);
    await workbench.runCommand('Firefighter: Run top on Host');
    await workbench.pickQuickItem(HOST);
    await workbench.waitForTerminalText(/load average/, 60_000);
    await workbench.screenshot('demo');
  });

  test('Tail Log… follows the service\'s log: its newest lines, then new ones as the service writes them', async () => {
    assert.ok(workbench, 'the workbench from the previous test');
    const log = path.join(/logs in (\S+)/.exec(output)![1], 'checkout.log');
    await workbench.runCommand('Firefighter: Tail Log…');
    await workbench.pickQuickItem(HOST);
    await workbench.pickQuickItem(log);
    await workbench.page.keyboard.press('Enter');
    await workbench.answerInputBox(/Filter for .*checkout\.log on checkout-prod-1/, '');
    // asctime stamps ("2026-11-26 22:50:01,123") sort as text: a newer one on screen is a new line.
    const stamps = (screen: string) => [...screen.matchAll(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO /gm)].map((m) => m[1]);
    const first = stamps(await workbench.waitForTerminalText(/\d,\d{3} INFO \[[^\]]+\] GET \/checkout \d+ ms/, 60_000));
    const shownFirst = first.sort().at(-1)!;
    let newer: string | undefined;
    await until(async () => (newer = stamps(await workbench!.terminalText()).find((stamp) => stamp > shownFirst)) !== undefined,
      `a line written after ${shownFirst}`, 30_000, async () => workbench!.terminalText());
    assert.ok(readFileSync(log, 'utf8').includes(`${newer} INFO `), `the line stamped ${newer} is in ${log}`);
    await workbench.screenshot('demo-log');
  });

  test('Ctrl-C stops everything the demo started', async () => {
    await workbench?.close();
    workbench = undefined;
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    demo.kill('SIGINT');
    await exited;
    assert.match(output, /==> demo: stopped/);
    // sshd, code-server, the service and the load generator all ran with paths in the demo folder.
    await until(async () => processesMentioning(demoDir).length === 0, 'every demo process to end', 15_000,
      async () => processesMentioning(demoDir).join(', '));
    // The sandbox sshd keeps its keys in a temp dir of its own: check its port is closed instead.
    const [, address, port] = /sshd on ([\d.]+):(\d+)/.exec(output)!;
    await until(async () => !(await isListening(address, Number(port))), `sshd on ${address}:${port} to stop`, 15_000);
  });
});
