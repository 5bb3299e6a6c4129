// Shared pieces of the benchmarks: the sample summary and the pool they measure.
import { loadSshConfig } from '../src/core/ssh/config';
import { SshPool } from '../src/core/ssh/pool';

/** Median and 90th percentile (nearest rank) of `samples`. */
export function summary(samples: number[]): { median: number; p90: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p90: at(0.9) };
}

/**
 * A pool with the production defaults (timeouts, backoff) that resolves each host from its
 * ssh_config like `ssh -F`: `configFile`, or the file `configFile(host)` names. No ambient agent.
 */
export function benchPool(configFile: string | ((host: string) => string)): SshPool {
  const configOf = typeof configFile === 'string' ? () => configFile : configFile;
  return new SshPool({ resolveHost: (name) => loadSshConfig({ configFile: configOf(name) }).resolve(name), agentSocket: '' });
}
