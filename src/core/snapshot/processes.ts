// The host's processes for picking one to snapshot, in one round trip: pid, user, %CPU, RSS,
// threads, age, command line and runtime, the busiest first. One POSIX sh script reads /proc
// with head, ls and grep; everything it prints is host data (docs/architecture.md, "Snapshots:
// picking a process").
import { parseCmdlines, parseOwners, parsePasswd, splitHeadOutput, splitSections, newNonce } from '../health/proc';
import type { RemoteRunner } from '../ssh/remote';
import { stripControl } from '../util/text';
import { detectRuntime, runtimeLabel, type Runtime, type RuntimeEvidence } from './runtime';

export interface ProcessInfo {
  pid: number;
  user: string;
  /** Share of one CPU over the listing's sampling interval, as top shows it. */
  cpuPercent: number;
  rssBytes: number;
  threads: number;
  ageSeconds: number;
  /** The command line (or `[name]` when it has none), control characters removed. */
  command: string;
  /** The executable's path, when readable. */
  exe: string | null;
  runtime: Runtime;
  /** "cpython 3.11", "node", "jvm", "go", "native", "unknown". */
  runtimeLabel: string;
}

export interface ListProcessesOptions {
  /** How far apart the two CPU readings are (default 0.3 s); 0 gives CPU over each process's life. */
  intervalSeconds?: number;
  timeoutMs?: number;
}

const CMDLINE_BYTES = 512;
/** The Go linker writes its build ID note (four 20-character parts) in the first page. */
const GO_NOTE_BYTES = 4096;
const GO_BUILD_ID = '[A-Za-z0-9_-]{20}/[A-Za-z0-9_-]{20}';
const RUNTIME_LIBRARY = 'lib(python[0-9]+\\.[0-9]+|node|jvm)[^/ ]*\\.so';

/**
 * The listing script for every process (`[0-9]*`) or one (a pid). head -v and grep -H
 * name each file even when there is only one.
 */
export function processScript(nonce: string, pids: string, intervalSeconds: number): string {
  const procGlob = `/proc/${pids}`;
  const pair =
    intervalSeconds > 0
      ? `s stat0; head -v -n 1 /proc/uptime ${procGlob}/stat 2>/dev/null
sleep ${intervalSeconds} 2>/dev/null || sleep 1
`
      : '';
  return `LC_ALL=C; export LC_ALL
s() { printf '\\n@@${nonce}:%s\\n' "$1"; }
s consts; getconf CLK_TCK 2>/dev/null || echo 100; getconf PAGESIZE 2>/dev/null || echo 4096
${pair}s files; head -v -n 1000000 /proc/uptime /etc/passwd ${procGlob}/stat 2>/dev/null
s owners; (cd /proc && ls -lnd ${pids}) 2>/dev/null
s exe; ls -l ${procGlob}/exe 2>/dev/null
s libs; grep -H -m1 -o -E '${RUNTIME_LIBRARY}' ${procGlob}/maps 2>/dev/null
s go; head -v -c ${GO_NOTE_BYTES} ${procGlob}/exe 2>/dev/null | grep -a -o -E '^==> /proc/[0-9]+/exe <==$|${GO_BUILD_ID}'
s cmdline; head -v -c ${CMDLINE_BYTES} ${procGlob}/cmdline 2>/dev/null
s end
exit 0
`;
}

interface StatFields {
  comm: string;
  ticks: number;
  threads: number;
  startTicks: number;
  rssPages: number;
}

/** /proc/PID/stat: the name sits in parentheses and may itself hold ')' or spaces. */
export function parseStat(text: string): StatFields | undefined {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // rest[0] is field 3 (state): utime 14, stime 15, num_threads 20, starttime 22, rss 24.
  const rest = text.slice(close + 2).split(' ');
  const [utime, stime, threads, startTicks, rssPages] = [11, 12, 17, 19, 21].map((i) => Number(rest[i]));
  if (![utime, stime, threads, startTicks, rssPages].every(Number.isFinite)) return undefined;
  return { comm: text.slice(open + 2, close), ticks: utime + stime, threads, startTicks, rssPages };
}

function statsOf(files: Map<string, string>): Map<number, StatFields> {
  const stats = new Map<number, StatFields>();
  for (const [path, text] of files) {
    const pid = /^\/proc\/(\d+)\/stat$/.exec(path)?.[1];
    const stat = pid === undefined ? undefined : parseStat(text);
    if (stat) stats.set(Number(pid), stat);
  }
  return stats;
}

/** `ls -l /proc/PID/exe` lines: `… /proc/42/exe -> /usr/bin/python3.11`. */
export function parseExeLinks(text: string): Map<number, string> {
  const links = new Map<number, string>();
  for (const line of text.split('\n')) {
    const match = / \/proc\/(\d+)\/exe -> (.+)$/.exec(line);
    if (match) links.set(Number(match[1]), match[2]);
  }
  return links;
}

/** `grep -H -m1 -o` over maps: `/proc/42/maps:libpython3.11.so.1.0`. */
export function parseRuntimeLibraries(text: string): Map<number, string> {
  const libraries = new Map<number, string>();
  for (const line of text.split('\n')) {
    const match = /^\/proc\/(\d+)\/maps:(.+)$/.exec(line);
    if (match && !libraries.has(Number(match[1]))) libraries.set(Number(match[1]), match[2]);
  }
  return libraries;
}

/** The header-and-match lines of the Go check: a build ID after a header marks that pid as Go. */
export function parseGoExecutables(text: string): Set<number> {
  const go = new Set<number>();
  let current: number | undefined;
  for (const line of text.split('\n')) {
    const header = /^==> \/proc\/(\d+)\/exe <==$/.exec(line);
    if (header) current = Number(header[1]);
    else if (current !== undefined && line.length > 0) go.add(current);
  }
  return go;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Turns the script's output into processes, busiest first (then largest, then by pid). */
export function parseProcessListing(host: string, output: string, nonce: string): ProcessInfo[] {
  const sections = splitSections(output, nonce);
  const need = (name: string): string => {
    const text = sections.get(name);
    if (text === undefined) throw new Error(`${host}: the process listing is missing its ${name} section; is /proc mounted?`);
    return text;
  };
  const [clockTicks, pageSize] = need('consts').trim().split('\n').map(Number);
  const files = splitHeadOutput(need('files'));
  const uptime = Number((files.get('/proc/uptime') ?? '').trim().split(/\s+/)[0]);
  if (!Number.isFinite(uptime)) throw new Error(`${host}: /proc/uptime is unreadable, so the process listing has no clock`);
  const stats = statsOf(files);
  const before = sections.get('stat0');
  const earlierFiles = before === undefined ? undefined : splitHeadOutput(before);
  const earlier = earlierFiles && statsOf(earlierFiles);
  const earlierUptime = Number((earlierFiles?.get('/proc/uptime') ?? '').trim().split(/\s+/)[0]);
  const owners = parseOwners(sections.get('owners') ?? '');
  const users = parsePasswd(files.get('/etc/passwd') ?? '');
  const exes = parseExeLinks(sections.get('exe') ?? '');
  const libraries = parseRuntimeLibraries(sections.get('libs') ?? '');
  const goExecutables = parseGoExecutables(sections.get('go') ?? '');
  const cmdlines = parseCmdlines(sections.get('cmdline') ?? '');
  const ticksPerSecond = clockTicks > 0 ? clockTicks : 100;

  const processes: ProcessInfo[] = [];
  for (const [pid, stat] of stats) {
    const ageSeconds = Math.max(0, uptime - stat.startTicks / ticksPerSecond);
    const previous = earlier?.get(pid);
    const interval = uptime - earlierUptime;
    const cpuSeconds =
      previous && previous.startTicks === stat.startTicks && interval > 0
        ? (stat.ticks - previous.ticks) / ticksPerSecond / interval
        : ageSeconds > 0
          ? stat.ticks / ticksPerSecond / ageSeconds
          : 0;
    const uid = owners.get(pid);
    const exe = exes.get(pid);
    const evidence: RuntimeEvidence = { exe, library: libraries.get(pid), goBuildId: goExecutables.has(pid) };
    const runtime = detectRuntime(evidence);
    const cmdline = stripControl(cmdlines.get(pid) ?? '');
    processes.push({
      pid,
      user: uid === undefined ? '?' : (users.get(uid) ?? String(uid)),
      cpuPercent: round1(Math.max(0, cpuSeconds) * 100),
      rssBytes: stat.rssPages * (pageSize > 0 ? pageSize : 4096),
      threads: stat.threads,
      ageSeconds: Math.floor(ageSeconds),
      command: cmdline || `[${stripControl(stat.comm)}]`,
      exe: exe === undefined ? null : stripControl(exe),
      runtime,
      runtimeLabel: runtimeLabel(runtime),
    });
  }
  return processes.sort((a, b) => b.cpuPercent - a.cpuPercent || b.rssBytes - a.rssBytes || a.pid - b.pid);
}

/** Every process of the host, busiest first. Kernel threads (no executable, no command line) are left out. */
export async function listProcesses(runner: RemoteRunner, options: ListProcessesOptions = {}): Promise<ProcessInfo[]> {
  const nonce = newNonce();
  const result = await runner.exec(processScript(nonce, '[0-9]*', options.intervalSeconds ?? 0.3), {
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  return parseProcessListing(runner.host, result.stdout, nonce).filter((p) => !(p.runtime.kind === 'unknown' && p.command.startsWith('[')));
}

/** One process, without the CPU pair (its runtime is what a snapshot needs); undefined when it is gone. */
export async function describeProcess(
  runner: RemoteRunner,
  pid: number,
  options: { timeoutMs?: number } = {},
): Promise<ProcessInfo | undefined> {
  const nonce = newNonce();
  const result = await runner.exec(processScript(nonce, String(pid), 0), { timeoutMs: options.timeoutMs ?? 10_000 });
  return parseProcessListing(runner.host, result.stdout, nonce).find((p) => p.pid === pid);
}
