// The services activate() builds once and every view shares; disposed together.
import type * as vscode from 'vscode';
import type { HealthMonitor } from '../core/health/monitor';
import type { SshPool } from '../core/ssh/pool';
import type { InventoryService } from './inventoryService';

export interface Services {
  readonly inventory: InventoryService;
  readonly pool: SshPool;
  readonly health: HealthMonitor;
  /** Every command run on a host, with host, time and exit code. */
  readonly log: vscode.LogOutputChannel;
}
