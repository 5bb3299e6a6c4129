// The services activate() builds once and hands to every feature, disposed together (GitLens'
// Container, small): see docs/architecture.md, "Services, settings and disposal". What is slow to
// load is built on first use: the pool loads ssh2 (dist/remote.js) only when a host is used, and
// the inventory reads its files only when first asked.
import * as vscode from 'vscode';
import { EventBus } from '../core/events/bus';
import type { IncidentEventMap } from '../core/events/types';
import { HealthMonitor } from '../core/health/monitor';
import type { HealthSampler } from '../core/health/sampler';
import { commandSummary } from '../core/ssh/commandSummary';
import { PathMappingRules } from '../core/traces/pathMappingRules';
import type { ProductionGuard } from '../core/guard/productionGuard';
import { Disposable, type IDisposable } from '../core/util/lifecycle';
import { VsCodeAuthPrompts } from './authPrompts';
import { createProductionGuard } from './guard';
import { HostActionOutput } from './hostActionOutput';
import { InventoryService } from './inventoryService';
import { LazyPool } from './lazyPool';
import { loadRemote } from './remoteBundle';
import { Settings, type SettingSchemas } from './settings';
import { feedPathMappings } from './traces/pathMappingSource';

export class Services extends Disposable {
  /** Every command run on a host, with host, time and exit code; setting problems; disposal errors. */
  readonly log: vscode.LogOutputChannel;
  /** The incident event stream every feature publishes to. */
  readonly events: EventBus;
  readonly settings: Settings;
  readonly inventory: InventoryService;
  readonly pool: LazyPool;
  readonly health: HealthMonitor;
  /** The `firefighter.pathMappings` rules: stack-trace links and the debugger map paths the same way. */
  readonly pathMappings: PathMappingRules;
  /** Asks before anything changes state on a production host; nothing runs on a host from a guest's window. */
  readonly guard: ProductionGuard;
  /** What deploy, verify, restart and signals printed. */
  readonly hostOutput: HostActionOutput;

  constructor(context: vscode.ExtensionContext) {
    super();
    // Disposed last, by dispose() below, so it can still say what went wrong while closing.
    this.log = vscode.window.createOutputChannel('Firefighter', { log: true });
    this.events = this._register(new EventBus(undefined, (error) => this.log.error('An incident event listener failed:', error)));
    this.guard = createProductionGuard(this.events);
    this.hostOutput = this._register(new HostActionOutput());
    const schemas = (context.extension.packageJSON as { contributes: { configuration: { properties: SettingSchemas } } }).contributes
      .configuration.properties;
    this.settings = this._register(new Settings(vscode.workspace, schemas, (message) => this.log.warn(message)));
    const settings = this.settings;
    const inventory = (this.inventory = this._register(new InventoryService(settings)));
    const prompts = new VsCodeAuthPrompts(context.secrets);
    this.pool = this._register(
      new LazyPool(
        () => ({
          resolveHost: (name) => {
            const host = inventory.host(name);
            if (!host) throw new Error(`No host named "${name}" in ${inventory.sshConfigFile} or .vscode/hosts.json.`);
            return host.ssh;
          },
          prompts,
          recallSecret: (keyFile) => prompts.recallSecret(keyFile),
          rememberSecret: (keyFile, passphrase) => prompts.rememberSecret(keyFile, passphrase),
          connectTimeoutMs: settings.get('connectTimeout') * 1000,
        }),
        this.events,
      ),
    );
    // The sampler reads over a connection, so it loads with the SSH half (dist/remote.js).
    let sampler: HealthSampler | undefined;
    this.health = this._register(
      new HealthMonitor({
        connect: (name) => this.pool.connect(name),
        sampler: { sample: (runner) => (sampler ??= new (loadRemote().HealthSampler)()).sample(runner) },
        intervalMs: settings.get('healthInterval') * 1000,
        events: this.events,
      }),
    );
    this.pathMappings = this._register(new PathMappingRules());
    this._register(feedPathMappings(this.pathMappings));
    this._register(this.events.on('command.ended', (command) => this.log.info(commandLine(command))));
    this._register(inventory.onDidChange(() => this.pool.reconcile((name) => inventory.host(name)?.ssh)));
    this._register(settings.onDidChange('healthInterval', (seconds) => this.health.setInterval(seconds * 1000)));
    this._register(settings.onDidChange('connectTimeout', (seconds) => this.pool.setConnectTimeout(seconds * 1000)));
  }

  /** Keeps a feature's registrations until the services go: features are disposed first, last added first. */
  own<T extends IDisposable>(feature: T): T {
    return this._register(feature);
  }

  override dispose(): void {
    try {
      super.dispose();
    } catch (error) {
      this.log.error('Closing Firefighter:', error);
    } finally {
      this.log.dispose();
    }
  }
}

/** One output-channel line per command run on a host: its host, command, outcome and duration. */
export function commandLine(
  command: Pick<IncidentEventMap['command.ended'], 'host' | 'command' | 'durationMs' | 'exitCode' | 'signal' | 'error'>,
): string {
  const outcome = command.exitCode !== null ? `exit ${command.exitCode}` : (command.signal ?? command.error ?? 'no exit status');
  return `[${command.host}] ${commandSummary(command.command)} → ${outcome} (${command.durationMs} ms)`;
}
