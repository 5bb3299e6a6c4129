// Wiring only: builds the services, hands them to the views, and disposes everything once (the
// store is in the context's subscriptions, so no deactivate() is needed).
import * as vscode from 'vscode';
import { EventBus } from './core/events/bus';
import { HealthMonitor } from './core/health/monitor';
import { commandSummary } from './core/ssh/commandSummary';
import { DisposableStore } from './core/util/events';
import { VsCodeAuthPrompts } from './views/authPrompts';
import { registerHostCommands } from './views/hostCommands';
import { HostsView } from './views/hostsView';
import { InventoryService } from './views/inventoryService';
import { LazyPool } from './views/lazyPool';
import { registerLogFeatures } from './views/logs';
import type { Services } from './views/services';
import { registerTraceFeatures } from './views/traces';

export function activate(context: vscode.ExtensionContext): void {
  const store = new DisposableStore();
  context.subscriptions.push(store);
  const settings = () => vscode.workspace.getConfiguration('firefighter');
  const connectTimeoutMs = () => settings().get<number>('connectTimeout', 15) * 1000;

  const log = store.add(vscode.window.createOutputChannel('Firefighter', { log: true }));
  const inventory = store.add(new InventoryService());
  const prompts = new VsCodeAuthPrompts(context.secrets);
  const events = store.add(new EventBus());
  const pool = store.add(
    new LazyPool(() => ({
      resolveHost: (name) => {
        const host = inventory.host(name);
        if (!host) throw new Error(`No host named "${name}" in ${inventory.sshConfigFile} or .vscode/hosts.json.`);
        return host.ssh;
      },
      prompts,
      recallSecret: (keyFile) => prompts.recallSecret(keyFile),
      rememberSecret: (keyFile, passphrase) => prompts.rememberSecret(keyFile, passphrase),
      connectTimeoutMs: connectTimeoutMs(),
    }), events),
  );
  store.add(
    events.on('command.ended', (record) => {
      const outcome = record.exitCode !== null ? `exit ${record.exitCode}` : (record.signal ?? record.error ?? 'no exit status');
      log.info(`[${record.host}] ${commandSummary(record.command)} → ${outcome} (${record.durationMs} ms)`);
    }),
  );
  store.add(inventory.onDidChange(() => pool.reconcile((name) => inventory.host(name)?.ssh)));
  const health = store.add(
    new HealthMonitor({ connect: (name) => pool.connect(name), intervalMs: settings().get<number>('healthInterval', 5) * 1000 }),
  );
  store.add(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('firefighter.healthInterval')) health.setInterval(settings().get<number>('healthInterval', 5) * 1000);
      if (e.affectsConfiguration('firefighter.connectTimeout')) pool.setConnectTimeout(connectTimeoutMs());
    }),
  );
  const services: Services = { inventory, pool, health, log };

  const hostsView = store.add(new HostsView(inventory, pool, health));
  for (const disposable of registerHostCommands(services, hostsView)) store.add(disposable);
  for (const disposable of registerTraceFeatures(services)) store.add(disposable);
  for (const disposable of registerLogFeatures(services)) store.add(disposable);
}
