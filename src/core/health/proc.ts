// Reading a Linux host's health from /proc in one round trip: one POSIX sh script that only
// uses head, ls, getconf, sleep and uname (present on minimal hosts without procps), and the
// parsers for what it prints. Everything printed is host data and is treated as such.
// Most of what a read costs the host is starting programs (most of a millisecond of CPU each),
// so a refresh starts three whatever the process count: one `head` for every whole file it
// needs, `ls` for the process owners, another `head` for the start of each command line. Given
// several files, head prints `==> PATH <==` before each one; that is how the parsers split them.
import { randomBytes } from 'node:crypto';
import { stripControl } from '../util/text';
import type { HealthReading, ProcessHealth } from './types';

/** What the next read of the same host needs from this one. */
export interface HostSnapshot {
  /** All jiffies of all CPUs. */
  total: number;
  /** Idle plus iowait jiffies of all CPUs. */
  idle: number;
  /** Online CPUs (the cpuN lines). */
  cpus: number;
  /** Per process: CPU ticks used so far, keyed by pid, with the start time to spot pid reuse. */
  processes: Map<number, { ticks: number; startTime: number }>;
  /** Bytes per memory page; it cannot change while the host runs, so only a first read asks. */
  pageSize: number;
}

export interface ProcStat {
  pid: number;
  comm: string;
  /** utime + stime, in clock ticks. */
  ticks: number;
  startTime: number;
  rssPages: number;
}

/** head -n with this prints every line of the files the script reads. */
const WHOLE_FILE_LINES = 1_000_000;
/** Per process, the start of its command line: plenty for a tree item or a table row. */
const CMDLINE_BYTES = 512;

/**
 * The sampling script. With `pairDelaySeconds` (a first read) it also reads /proc/stat and
 * every /proc/PID/stat that far ahead of the main sample, so CPU figures need no earlier read,
 * and asks for the page size; without it, the caller supplies the previous read's snapshot.
 * Sections are delimited by a per-call nonce so a command line cannot forge one.
 */
export function healthScript(nonce: string, pairDelaySeconds?: number): string {
  const first =
    pairDelaySeconds === undefined
      ? ''
      : `s counters0; head -n ${WHOLE_FILE_LINES} /proc/stat /proc/[0-9]*/stat 2>/dev/null
s pagesize; getconf PAGESIZE 2>/dev/null || echo 4096
sleep ${pairDelaySeconds} 2>/dev/null || sleep 1
`;
  return `LC_ALL=C; export LC_ALL
if [ ! -r /proc/loadavg ] || [ ! -r /proc/stat ]; then
  printf '@@${nonce}:unavailable\\n'; uname -s 2>/dev/null; exit 0
fi
s() { printf '\\n@@${nonce}:%s\\n' "$1"; }
${first}s files; head -n ${WHOLE_FILE_LINES} /proc/stat /proc/loadavg /proc/meminfo /proc/uptime /etc/passwd /proc/[0-9]*/stat 2>/dev/null
s owners; ls -ln /proc 2>/dev/null
s cmdline; head -c ${CMDLINE_BYTES} /proc/[0-9]*/cmdline 2>/dev/null
s end
exit 0
`;
}

export function newNonce(): string {
  return randomBytes(8).toString('hex');
}

/** Splits the script's output into its named sections. */
export function splitSections(output: string, nonce: string): Map<string, string> {
  return splitAtHeaders(output, new RegExp(`\\n?@@${nonce}:(\\w+)\\n`, 'g'));
}

/** The text after each match of `header` (a global RegExp) up to the next, keyed by its first group. */
function splitAtHeaders(text: string, header: RegExp): Map<string, string> {
  const parts = new Map<string, string>();
  let key: string | undefined;
  let start = 0;
  for (const match of text.matchAll(header)) {
    if (key !== undefined) parts.set(key, text.slice(start, match.index));
    key = match[1];
    start = (match.index ?? 0) + match[0].length;
  }
  if (key !== undefined) parts.set(key, text.slice(start));
  return parts;
}

export function parseLoadAvg(text: string): [number, number, number] {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every(Number.isFinite)) throw new Error(`unexpected /proc/loadavg: ${JSON.stringify(text.slice(0, 80))}`);
  return [one, five, fifteen];
}

export function parseCpuTimes(text: string): Pick<HostSnapshot, 'total' | 'idle' | 'cpus'> {
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

/**
 * Splits what `head` prints for several files into each file's content, by path. The headers
 * cannot be forged by what the files hold except in command lines (a process name has at most
 * 15 bytes, too few for "\n==> /proc/1/stat <==\n"), and a forged command-line header can only
 * misattribute command lines: it never reaches the nonce-delimited sections.
 */
export function splitHeadOutput(text: string): Map<string, string> {
  return splitAtHeaders(text, /(?:^|\n)==> (\/proc\/[\w/]+|\/etc\/passwd) <==\n/g);
}

/** One /proc/PID/stat. The name sits in parentheses and may itself hold ')', spaces or newlines. */
function parseProcStat(pid: number, text: string): ProcStat | undefined {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): utime 14, stime 15, starttime 22, rss 24.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const startTime = Number(rest[19]);
  const rssPages = Number(rest[21]);
  if (![utime, stime, startTime, rssPages].every(Number.isFinite)) return undefined;
  return { pid, comm: text.slice(open + 2, close), ticks: utime + stime, startTime, rssPages };
}

/** The /proc/PID/stat files among `head`'s output, parsed. */
export function parseProcStats(files: Map<string, string>): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const [path, text] of files) {
    const pid = /^\/proc\/(\d+)\/stat$/.exec(path)?.[1];
    const stat = pid === undefined ? undefined : parseProcStat(Number(pid), text);
    if (stat) stats.push(stat);
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

/** `head -c N /proc/PID/cmdline...`: arguments are separated by NUL. */
export function parseCmdlines(text: string): Map<number, string> {
  const commands = new Map<number, string>();
  for (const [path, content] of splitHeadOutput(text)) {
    const pid = /^\/proc\/(\d+)\/cmdline$/.exec(path)?.[1];
    if (pid !== undefined) commands.set(Number(pid), content.replace(/\0+$/, '').split('\0').join(' '));
  }
  return commands;
}

export interface ParsedHealth {
  reading: HealthReading;
  /** What the next read needs from this one (undefined when unavailable). */
  snapshot?: HostSnapshot;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A file's content among `head`'s output; a missing one means the output is not what the script prints. */
function needFile(host: string, files: Map<string, string>, path: string): string {
  const text = files.get(path);
  if (text === undefined) throw new Error(`${host}: health output is missing ${path}`);
  return text;
}

/** One sample of the counters: /proc/stat and every /proc/PID/stat among `head`'s output. */
function countersOf(host: string, files: Map<string, string>, pageSize: number): { snapshot: HostSnapshot; procs: ProcStat[] } {
  const stat = needFile(host, files, '/proc/stat');
  const procs = parseProcStats(files);
  const processes = new Map(procs.map((p) => [p.pid, { ticks: p.ticks, startTime: p.startTime }]));
  return { snapshot: { ...parseCpuTimes(stat), processes, pageSize }, procs };
}

/**
 * Turns the script's output into a reading. CPU figures come from the in-script pair when the
 * script took one (a first read), otherwise from `previous`; with neither, they are 0.
 */
export function parseHealthOutput(
  host: string,
  output: string,
  nonce: string,
  options: { previous?: HostSnapshot; topCount: number; now: number },
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
  const files = splitHeadOutput(need('files'));
  const pagesize = sections.get('pagesize');
  const pageSize = pagesize !== undefined ? Number(pagesize.trim()) || 4096 : options.previous?.pageSize;
  if (pageSize === undefined) throw new Error(`${host}: health output is missing its pagesize section`);

  const { snapshot: current, procs } = countersOf(host, files, pageSize);
  const counters0 = sections.get('counters0');
  const before = counters0 !== undefined ? countersOf(host, splitHeadOutput(counters0), pageSize).snapshot : options.previous;
  const deltaTotal = before ? current.total - before.total : 0;
  const cpuBusyPercent = before && deltaTotal > 0 ? round1((100 * (deltaTotal - (current.idle - before.idle))) / deltaTotal) : 0;
  // Jiffies that passed on one CPU; a process using all of one CPU used this many ticks.
  const perCpuElapsed = deltaTotal / current.cpus;

  const memory = parseMeminfo(needFile(host, files, '/proc/meminfo'));
  const busiest = procs
    .map((p) => {
      const earlier = before?.processes.get(p.pid);
      const used = earlier && earlier.startTime === p.startTime ? p.ticks - earlier.ticks : p.ticks;
      const cpuPercent = perCpuElapsed > 0 ? Math.min(100 * current.cpus, (100 * Math.max(used, 0)) / perCpuElapsed) : 0;
      return { stat: p, cpuPercent: round1(cpuPercent), memPercent: round1((100 * p.rssPages * pageSize) / memory.totalBytes) };
    })
    .sort((a, b) => b.cpuPercent - a.cpuPercent || b.memPercent - a.memPercent || a.stat.pid - b.stat.pid)
    .slice(0, options.topCount);

  const owners = parseOwners(sections.get('owners') ?? '');
  const users = parsePasswd(files.get('/etc/passwd') ?? '');
  const cmdlines = parseCmdlines(sections.get('cmdline') ?? '');
  const processes: ProcessHealth[] = busiest.map(({ stat, cpuPercent, memPercent }) => {
    const uid = owners.get(stat.pid);
    const cmdline = stripControl(cmdlines.get(stat.pid) ?? '');
    return {
      pid: stat.pid,
      user: uid === undefined ? '?' : (users.get(uid) ?? String(uid)),
      cpuPercent,
      memPercent,
      command: cmdline || `[${stripControl(stat.comm)}]`,
    };
  });

  const load = parseLoadAvg(needFile(host, files, '/proc/loadavg'));
  return {
    reading: {
      available: true,
      host,
      cpus: current.cpus,
      load,
      loadPerCpu: Math.round((load[0] / current.cpus) * 100) / 100,
      cpuBusyPercent,
      memory,
      uptimeSeconds: Math.floor(parseUptime(needFile(host, files, '/proc/uptime'))),
      processes,
      sampledAt: options.now,
    },
    snapshot: current,
  };
}
