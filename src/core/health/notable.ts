// Which health samples are worth a line on the incident timeline (docs/architecture.md, "Events"):
// a host's first, then only a crossing of a threshold someone on call acts on, so a host read
// every few seconds does not flood the timeline. Thresholds match what the Hosts view flags.
import type { IncidentEventMap } from '../events/types';
import type { HostHealth } from './types';

export type SampleReason = IncidentEventMap['health.sampled']['reason'];

/** At 1.0 per CPU every CPU has work queued (the view shows a flame from here). */
export const LOAD_PER_CPU_HIGH = 1;
/** Below this share of memory available, the kernel is close to reclaiming hard or killing. */
export const MEMORY_AVAILABLE_LOW_PERCENT = 10;

export interface HealthFlags {
  loadHigh: boolean;
  memoryLow: boolean;
}

export function memoryAvailablePercent(health: HostHealth): number {
  const { totalBytes, availableBytes } = health.memory;
  return totalBytes > 0 ? (availableBytes / totalBytes) * 100 : 100;
}

export function flagsOf(health: HostHealth): HealthFlags {
  return { loadHigh: health.loadPerCpu >= LOAD_PER_CPU_HIGH, memoryLow: memoryAvailablePercent(health) < MEMORY_AVAILABLE_LOW_PERCENT };
}

/**
 * Why this sample is worth publishing, given the host's flags at its last published sample
 * (undefined for the first) and whether the read before it failed: none, one, or both crossings.
 */
export function notableReasons(previous: HealthFlags | undefined, current: HealthFlags, afterFailure: boolean): SampleReason[] {
  if (!previous) return ['first'];
  if (afterFailure) return ['recovered'];
  const reasons: SampleReason[] = [];
  if (current.loadHigh !== previous.loadHigh) reasons.push(current.loadHigh ? 'loadHigh' : 'loadNormal');
  if (current.memoryLow !== previous.memoryLow) reasons.push(current.memoryLow ? 'memoryLow' : 'memoryNormal');
  return reasons;
}

/** The health.sampled payload of a sample. */
export function sampledEvent(health: HostHealth, reason: SampleReason): IncidentEventMap['health.sampled'] {
  return {
    host: health.host,
    reason,
    cpus: health.cpus,
    load: health.load,
    loadPerCpu: health.loadPerCpu,
    cpuBusyPercent: health.cpuBusyPercent,
    memoryAvailablePercent: memoryAvailablePercent(health),
  };
}
