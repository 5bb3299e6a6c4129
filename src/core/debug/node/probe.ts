// One round trip that tells everything openNodeInspector needs about a process: whether it exists,
// its exe, command line, owner, whether it catches SIGUSR1, and the TCP sockets it listens on
// (docs/architecture.md, "Debugging: Node processes").
import { newNonce, splitSections } from '../../health/proc';
import type { RemoteRunner } from '../../ssh/remote';
import { ownedListeners, parseListeningSockets, parseSocketInodes, type ListeningSocket } from './procNet';

export interface ProcessProbe {
  /** The ssh user's uid on the host. */
  sshUid: number;
  /** Undefined when the process does not exist (any more). */
  process?: {
    exe: string;
    /** argv joined by spaces. */
    cmdline: string;
    uid: number;
    /** False when no handler catches SIGUSR1 (--disable-sigusr1): the signal would not open the inspector, and by default terminates. */
    catchesSigusr1: boolean;
    /** The sockets this process listens on. */
    listeners: ListeningSocket[];
    /** Every listening socket of its network namespace (to name who holds a port it wanted). */
    namespaceListeners: ListeningSocket[];
  };
}

/** Bounds what a busy server's fd table adds to one poll. */
const MAX_FD_LINES = 65_536;

export function probeScript(nonce: string, pid: number): string {
  const section = (name: string) => `echo "@@${nonce}:${name}"`;
  const p = `/proc/${pid}`;
  return [
    'LC_ALL=C; export LC_ALL',
    `${section('uid')}; id -u`,
    `[ -d ${p} ] || { ${section('gone')}; exit 0; }`,
    `${section('status')}; grep -E '^(Uid|SigCgt):' ${p}/status 2>/dev/null`,
    `${section('exe')}; readlink ${p}/exe 2>/dev/null`,
    `${section('cmdline')}; tr '\\0' ' ' < ${p}/cmdline 2>/dev/null; echo`,
    `${section('fds')}; for f in ${p}/fd/*; do readlink "$f"; done 2>/dev/null | grep '^socket:' | head -n ${MAX_FD_LINES}`,
    // Only LISTEN rows: a busy server's connection table stays on the host.
    `${section('tcp')}; cat ${p}/net/tcp ${p}/net/tcp6 2>/dev/null | awk '$4 == "0A"'`,
    section('end'),
  ].join('\n');
}

export function parseProbe(output: string, nonce: string): ProcessProbe {
  const sections = splitSections(output, nonce);
  const sshUid = Number(sections.get('uid')?.trim());
  if (!Number.isInteger(sshUid)) throw new Error('the process probe printed no uid');
  if (sections.has('gone') || !sections.has('end')) return { sshUid };
  const status = sections.get('status') ?? '';
  const namespaceListeners = parseListeningSockets(sections.get('tcp') ?? '');
  return {
    sshUid,
    process: {
      exe: (sections.get('exe') ?? '').trim(),
      cmdline: (sections.get('cmdline') ?? '').trim(),
      uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? NaN),
      catchesSigusr1: catchesSignal(status, 10),
      listeners: ownedListeners(namespaceListeners, parseSocketInodes(sections.get('fds') ?? '')),
      namespaceListeners,
    },
  };
}

/** Whether /proc/PID/status's SigCgt mask has `signal` (bit signal-1): a handler is installed. */
export function catchesSignal(status: string, signal: number): boolean {
  const mask = /^SigCgt:\s+([0-9a-fA-F]+)/m.exec(status)?.[1];
  return mask !== undefined && (BigInt(`0x${mask}`) & (1n << BigInt(signal - 1))) !== 0n;
}

export async function probeProcess(runner: RemoteRunner, pid: number): Promise<ProcessProbe> {
  const nonce = newNonce();
  const result = await runner.exec(probeScript(nonce, pid), { timeoutMs: 10_000 });
  return parseProbe(result.stdout, nonce);
}
