// The health of one host as the tree, the CLI (`firefighter health --json`) and tests see it.
// The JSON shape is a public contract (docs/architecture.md, "Contracts"): fields may be added, never renamed.

export interface ProcessHealth {
  pid: number;
  /** User name of the process owner, or the numeric uid when the host has no name for it. */
  user: string;
  /** Share of one CPU over the sampling interval, as top shows it (200 = two CPUs busy). */
  cpuPercent: number;
  /** Resident memory as a share of the host's total memory. */
  memPercent: number;
  /** Command line (or `[name]` for kernel threads), with control characters removed. */
  command: string;
}

export interface HostHealth {
  available: true;
  host: string;
  cpus: number;
  /** Load averages over 1, 5 and 15 minutes. */
  load: [number, number, number];
  /** The 1-minute load divided by the CPU count: 1.0 means every CPU has work queued. */
  loadPerCpu: number;
  cpuBusyPercent: number;
  memory: { totalBytes: number; availableBytes: number };
  uptimeSeconds: number;
  /** The busiest processes, highest %CPU first. */
  processes: ProcessHealth[];
  /** Milliseconds since the epoch, local clock. */
  sampledAt: number;
}

/** A host without /proc (e.g. macOS): not an error, there is just nothing to show. */
export interface HealthUnavailable {
  available: false;
  host: string;
  /** Says why, e.g. "health not available: Darwin has no /proc". */
  reason: string;
}

export type HealthReading = HostHealth | HealthUnavailable;
