// The short texts the Hosts tree and the CLI show for a health reading.
import type { HealthReading, HostHealth } from './types';

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1288490188 -> "1.2 GiB"; one decimal below 10 units, none above. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** "load 0.42 0.30 0.20 · 4 CPUs (0.11/CPU)": the per-CPU figure is what says whether the host is overloaded. */
export function formatLoad(health: HostHealth): string {
  const [one, five, fifteen] = health.load.map((n) => n.toFixed(2));
  const cpus = `${health.cpus} CPU${health.cpus === 1 ? '' : 's'}`;
  return `load ${one} ${five} ${fifteen} · ${cpus} (${health.loadPerCpu.toFixed(2)}/CPU)`;
}

/** "cpu 12.5% busy" */
export function formatCpuBusy(health: HostHealth): string {
  return `cpu ${health.cpuBusyPercent.toFixed(1)}% busy`;
}

/** "mem 1.2 GiB / 3.8 GiB": used (total minus available) of total. */
export function formatMemory(health: HostHealth): string {
  const { totalBytes, availableBytes } = health.memory;
  return `mem ${formatBytes(totalBytes - availableBytes)} / ${formatBytes(totalBytes)}`;
}

/** "up 3d 4h", "up 5h 12m", "up 7m", "up 42s": the two largest units. */
export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `up ${d}d ${h}h`;
  if (h > 0) return `up ${h}h ${m}m`;
  if (m > 0) return `up ${m}m`;
  return `up ${Math.floor(seconds)}s`;
}

/** The reading as plain text, one figure per line and then the process table (the CLI's output). */
export function formatHealthText(reading: HealthReading): string {
  if (!reading.available) return `${reading.host}: ${reading.reason}\n`;
  const lines = [
    `${reading.host}  ${formatUptime(reading.uptimeSeconds)}`,
    formatLoad(reading),
    formatCpuBusy(reading),
    formatMemory(reading),
    '',
    `${'PID'.padStart(7)} ${'USER'.padEnd(10)} ${'%CPU'.padStart(6)} ${'%MEM'.padStart(5)}  COMMAND`,
    ...reading.processes.map(
      (p) =>
        `${String(p.pid).padStart(7)} ${p.user.slice(0, 10).padEnd(10)} ${p.cpuPercent.toFixed(1).padStart(6)} ${p.memPercent.toFixed(1).padStart(5)}  ${p.command}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
