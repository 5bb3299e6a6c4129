// The services activate() builds once and every view shares; disposed together.
import type * as vscode from 'vscode';
import type { EventPublisher } from '../core/events';
import type { HealthMonitor } from '../core/health/monitor';
import type { InventoryService } from './inventoryService';
import type { LazyPool } from './lazyPool';

export interface Services {
  readonly inventory: InventoryService;
  readonly pool: LazyPool;
  readonly health: HealthMonitor;
  /** Every command run on a host, with host, time and exit code. */
  readonly log: vscode.LogOutputChannel;
  /** The incident event stream (docs/architecture.md, "Events"); features publish nothing without it. */
  readonly events?: EventPublisher;
}
