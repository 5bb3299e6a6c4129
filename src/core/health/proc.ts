// Reading a Linux host's health from /proc in one round trip: one POSIX sh script that only
// uses cat, head, ls and sleep (present on minimal hosts without procps), and the parsers for
// what it prints. Everything printed is host data and is treated as such.
import { randomBytes } from 'node:crypto';
import type { HealthReading, ProcessHealth } from './types';

/** Cumulative CPU counters from /proc/stat, kept between samples to compute busy %. */
export interface CpuSnapshot {
  /** All jiffies of all CPUs. */
  total: number;
  /** Idle plus iowait jiffies of all CPUs. */
  idle: number;
  /** Online CPUs (the cpuN lines). */
  cpus: number;
  /** Per process: CPU ticks used so far, keyed by pid, with the start time to spot pid reuse. */
  processes: Map<number, { ticks: number; startTime: number }>;
}

export interface ProcStat {
  pid: number;
  comm: string;
  /** utime + stime, in clock ticks. */
  ticks: number;
  startTime: number;
  rssPages: number;
}

/**
 * The sampling script. With `pairDelaySeconds` it reads /proc/stat and every /proc/PID/stat
 * twice, that far apart, so CPU figures need no earlier sample; without it, it reads them once
 * and the caller supplies the previous snapshot. Sections are delimited by a per-call nonce so
 * a process name cannot forge one.
 */
export function healthScript(nonce: string, pairDelaySeconds?: number): string {
  const pair =
    pairDelaySeconds === undefined
      ? ''
      : `s stat0; cat /proc/stat; s pids0; cat /proc/[0-9]*/stat 2>/dev/null
sleep ${pairDelaySeconds} 2>/dev/null || sleep 1
`;
  return `LC_ALL=C; export LC_ALL
if [ ! -r /proc/loadavg ] || [ ! -r /proc/stat ]; then
  printf '@@${nonce}:unavailable\\n'; uname -s 2>/dev/null; exit 0
fi
s() { printf '\\n@@${nonce}:%s\\n' "$1"; }
${pair}s stat; cat /proc/stat
s pids; cat /proc/[0-9]*/stat 2>/dev/null
s loadavg; cat /proc/loadavg
s meminfo; cat /proc/meminfo
s uptime; cat /proc/uptime
s pagesize; getconf PAGESIZE 2>/dev/null || echo 4096
s owners; ls -ln /proc 2>/dev/null
s passwd; cat /etc/passwd 2>/dev/null
s cmdline; head -c 512 /proc/[0-9]*/cmdline 2>/dev/null
s end
exit 0
`;
}

export function newNonce(): string {
  return randomBytes(8).toString('hex');
}

/** Splits the script's output into its named sections. */
export function splitSections(output: string, nonce: string): Map<string, string> {
  const marker = new RegExp(`\\n?@@${nonce}:(\\w+)\\n`, 'g');
  const sections = new Map<string, string>();
  let name: string | undefined;
  let start = 0;
  for (const match of output.matchAll(marker)) {
    if (name !== undefined) sections.set(name, output.slice(start, match.index));
    name = match[1];
    start = (match.index ?? 0) + match[0].length;
  }
  if (name !== undefined) sections.set(name, output.slice(start));
  return sections;
}

export function parseLoadAvg(text: string): [number, number, number] {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every(Number.isFinite)) throw new Error(`unexpected /proc/loadavg: ${JSON.stringify(text.slice(0, 80))}`);
  return [one, five, fifteen];
}

export function parseCpuTimes(text: string): Omit<CpuSnapshot, 'processes'> {
  let total = 0;
  let idle = 0;
  let cpus = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      // user nice system idle iowait irq softirq steal; guest time is already inside user.
      const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
      total = v.reduce((sum, n) => sum + (Number.isFinite(n) ? n : 0), 0);
      idle = (v[3] ?? 0) + (v[4] ?? 0);
      found = true;
    } else if (/^cpu\d+ /.test(line)) {
      cpus++;
    }
  }
  if (!found) throw new Error('unexpected /proc/stat: no cpu line');
  return { total, idle, cpus: Math.max(cpus, 1) };
}

export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) kib.set(m[1], Number(m[2]));
  }
  const total = kib.get('MemTotal');
  if (total === undefined) throw new Error('unexpected /proc/meminfo: no MemTotal');
  // MemAvailable exists since Linux 3.14; before that, free + page cache is the usual estimate.
  const available = kib.get('MemAvailable') ?? (kib.get('MemFree') ?? 0) + (kib.get('Buffers') ?? 0) + (kib.get('Cached') ?? 0);
  return { totalBytes: total * 1024, availableBytes: available * 1024 };
}

export function parseUptime(text: string): number {
  const seconds = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(seconds)) throw new Error(`unexpected /proc/uptime: ${JSON.stringify(text.slice(0, 80))}`);
  return seconds;
}

/** Parses concatenated /proc/PID/stat records. The name sits in parentheses and may itself hold ')' or spaces. */
export function parseProcStats(text: string): ProcStat[] {
  const records: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\d+ \(/.test(line) || records.length === 0) records.push(line);
    else records[records.length - 1] += `\n${line}`; // a name with a newline in it
  }
  const stats: ProcStat[] = [];
  for (const record of records) {
    const open = record.indexOf(' (');
    const close = record.lastIndexOf(')');
    if (open < 0 || close < open) continue;
    const rest = record.slice(close + 2).split(' ');
    // rest[0] is field 3 (state): utime 14, stime 15, starttime 22, rss 24.
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const startTime = Number(rest[19]);
    const rssPages = Number(rest[21]);
    if (![utime, stime, startTime, rssPages].every(Number.isFinite)) continue;
    stats.push({ pid: Number(record.slice(0, open)), comm: record.slice(open + 2, close), ticks: utime + stime, startTime, rssPages });
  }
  return stats;
}

/** `ls -ln /proc`: the owner uid of each /proc/PID directory is the process's effective uid. */
export function parseOwners(text: string): Map<number, number> {
  const owners = new Map<number, number>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[fields.length - 1];
    if (fields.length >= 6 && /^\d+$/.test(name) && /^\d+$/.test(fields[2])) owners.set(Number(name), Number(fields[2]));
  }
  return owners;
}

export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name);
  }
  return names;
}

/** `head -c N /proc/PID/cmdline...`: files separated by `==> /proc/PID/cmdline <==` headers, arguments by NUL. */
export function parseCmdlines(text: string): Map<number, string> {
  const commands = new Map<number, string>();
  const header = /(?:^|\n)==> \/proc\/(\d+)\/cmdline <==\n/g;
  let pid: number | undefined;
  let start = 0;
  const take = (end: number) => {
    if (pid === undefined) return;
    const command = text.slice(start, end).replace(/\0+$/, '').split('\0').join(' ');
    commands.set(pid, command);
  };
  for (const match of text.matchAll(header)) {
    take(match.index ?? 0);
    pid = Number(match[1]);
    start = (match.index ?? 0) + match[0].length;
  }
  take(text.length);
  return commands;
}

/** Process names are host data: no control characters (C0, DEL, C1) reach a tree item or a JSON consumer's terminal. */
export function stripControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

export interface ParsedHealth {
  reading: HealthReading;
  /** The counters of this sample, for the next one's deltas (undefined when unavailable). */
  snapshot?: CpuSnapshot;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * Turns the script's output into a reading. CPU figures come from the in-script pair when the
 * script took one, otherwise from `previous`; with neither, they are 0.
 */
export function parseHealthOutput(
  host: string,
  output: string,
  nonce: string,
  options: { previous?: CpuSnapshot; topCount: number; now: number },
): ParsedHealth {
  const sections = splitSections(output, nonce);
  const unavailable = sections.get('unavailable');
  if (unavailable !== undefined) {
    const system = stripControl(unavailable) || 'this system';
    return { reading: { available: false, host, reason: `health not available: ${system} has no /proc/loadavg` } };
  }
  const need = (name: string): string => {
    const text = sections.get(name);
    if (text === undefined) throw new Error(`${host}: health output is missing its ${name} section`);
    return text;
  };
  const cpu = parseCpuTimes(need('stat'));
  const procs = parseProcStats(need('pids'));
  const snapshot: CpuSnapshot = { ...cpu, processes: new Map(procs.map((p) => [p.pid, { ticks: p.ticks, startTime: p.startTime }])) };

  let before: CpuSnapshot | undefined = options.previous;
  const stat0 = sections.get('stat0');
  if (stat0 !== undefined) {
    const procs0 = parseProcStats(sections.get('pids0') ?? '');
    before = { ...parseCpuTimes(stat0), processes: new Map(procs0.map((p) => [p.pid, { ticks: p.ticks, startTime: p.startTime }])) };
  }
  const deltaTotal = before ? cpu.total - before.total : 0;
  const cpuBusyPercent = before && deltaTotal > 0 ? round1((100 * (deltaTotal - (cpu.idle - before.idle))) / deltaTotal) : 0;
  // Jiffies that passed on one CPU; a process using all of one CPU used this many ticks.
  const perCpuElapsed = deltaTotal / cpu.cpus;

  const memory = parseMeminfo(need('meminfo'));
  const pageSize = Number(need('pagesize').trim()) || 4096;
  const owners = parseOwners(sections.get('owners') ?? '');
  const users = parsePasswd(sections.get('passwd') ?? '');
  const cmdlines = parseCmdlines(sections.get('cmdline') ?? '');

  const processes: ProcessHealth[] = procs.map((p) => {
    const earlier = before?.processes.get(p.pid);
    const used = earlier && earlier.startTime === p.startTime ? p.ticks - earlier.ticks : p.ticks;
    const cpuPercent = perCpuElapsed > 0 ? Math.min(100 * cpu.cpus, (100 * Math.max(used, 0)) / perCpuElapsed) : 0;
    const uid = owners.get(p.pid);
    const cmdline = stripControl(cmdlines.get(p.pid) ?? '');
    return {
      pid: p.pid,
      user: uid === undefined ? '?' : (users.get(uid) ?? String(uid)),
      cpuPercent: round1(cpuPercent),
      memPercent: round1((100 * p.rssPages * pageSize) / memory.totalBytes),
      command: cmdline || `[${stripControl(p.comm)}]`,
    };
  });
  processes.sort((a, b) => b.cpuPercent - a.cpuPercent || b.memPercent - a.memPercent || a.pid - b.pid);

  const load = parseLoadAvg(need('loadavg'));
  return {
    reading: {
      available: true,
      host,
      cpus: cpu.cpus,
      load,
      loadPerCpu: Math.round((load[0] / cpu.cpus) * 100) / 100,
      cpuBusyPercent,
      memory,
      uptimeSeconds: Math.floor(parseUptime(need('uptime'))),
      processes: processes.slice(0, options.topCount),
      sampledAt: options.now,
    },
    snapshot,
  };
}
