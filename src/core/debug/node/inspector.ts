// Opens a Node process's inspector on a host and forwards it to a local loopback port: preflight,
// SIGUSR1 (what `node inspect -p PID` does), wait for the listening socket that process owns, then
// a local port piped over the pooled SSH connection (docs/architecture.md, "Debugging: Node
// processes"). An inspector already open is used as it is, without signalling again.
import { noEvents, type EventPublisher } from '../../events';
import type { RemoteRunner } from '../../ssh/remote';
import { systemClock, type Clock } from '../../util/clock';
import { getInspectorJson, isNodeInspectorVersion } from './inspectorHttp';
import { openLoopbackForward, type ForwardOut } from './loopbackForward';
import { probeProcess, type ProcessProbe } from './probe';
import { connectAddress, type ListeningSocket } from './procNet';

/** A runner on the pooled connection that can also open TCP streams from the host (SshRunner). */
export interface ForwardingRunner extends RemoteRunner {
  forwardOut: ForwardOut;
}

export interface NodeInspectorOptions {
  /** How long to wait for the inspector after SIGUSR1. */
  timeoutMs?: number;
  /** Between two polls of the process's sockets. */
  pollMs?: number;
  clock?: Clock;
  events?: EventPublisher;
}

export interface NodeInspector {
  /** The loopback port here (127.0.0.1) that reaches the inspector. */
  localPort: number;
  /** The inspector's port on the host. */
  remotePort: number;
  /** False when the inspector was already open and no signal was sent. */
  signalled: boolean;
  /** Closes the local port and its connections; the inspector on the host stays open. */
  dispose(): Promise<void>;
}

export class NodeInspectorError extends Error {
  override readonly name = 'NodeInspectorError';
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_POLL_MS = 100;
/** Node's inspector port when the command line names none. */
const DEFAULT_INSPECT_PORT = 9229;
/** Listening sockets checked for an already open inspector: a server rarely has more. */
const MAX_CANDIDATES = 8;
const SIGUSR1 = 10;
/** How long a listening socket has to answer GET /json/version. */
const PROBE_TIMEOUT_MS = 2_000;

export async function openNodeInspector(runner: ForwardingRunner, pid: number, options: NodeInspectorOptions = {}): Promise<NodeInspector> {
  const clock = options.clock ?? systemClock;
  const events = options.events ?? noEvents;
  const host = runner.host;
  const first = await probeProcess(runner, pid);
  const target = preflight(host, pid, first);
  const open = async (socket: ListeningSocket, signalled: boolean): Promise<NodeInspector> => {
    const forward = await openLoopbackForward(runner.forwardOut.bind(runner), connectAddress(socket.address), socket.port);
    events.publish('debug.inspectorOpened', 'debugger', { host, pid, port: socket.port, signalled });
    return { localPort: forward.localPort, remotePort: socket.port, signalled, dispose: () => forward.dispose() };
  };

  const already = await findInspector(runner, clock, rankCandidates(target.listeners, inspectPort(target.cmdline)));
  if (already) return open(already, false);

  if (!target.catchesSigusr1) {
    throw new NodeInspectorError(
      `${pid} on ${host} does not handle SIGUSR1 (started with --disable-sigusr1?), so it cannot open its inspector from outside and the signal would terminate it; restart it with --inspect=127.0.0.1:${DEFAULT_INSPECT_PORT}.`,
    );
  }
  const kill = await runner.exec(`kill -${SIGUSR1} ${pid}`, { timeoutMs: 10_000 });
  if (kill.exitCode !== 0) {
    throw new NodeInspectorError(
      `Could not signal ${pid} on ${host} (${oneLine(kill.stderr) || `exit ${kill.exitCode}`}); log in as its owner or as root.`,
    );
  }

  const before = new Set(target.listeners.map((s) => s.inode));
  const deadline = clock.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let last = target;
  for (;;) {
    const probe = await probeProcess(runner, pid);
    if (!probe.process) throw new NodeInspectorError(`${pid} on ${host} exited after SIGUSR1; it did not survive the signal.`);
    last = probe.process;
    const found = await findInspector(
      runner,
      clock,
      last.listeners.filter((s) => !before.has(s.inode)),
    );
    if (found) return open(found, true);
    if (clock.now() >= deadline) break;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, options.pollMs ?? DEFAULT_POLL_MS));
  }
  const port = inspectPort(last.cmdline);
  const holder = last.namespaceListeners.find((s) => s.port === port && !last.listeners.includes(s));
  if (holder) {
    throw new NodeInspectorError(
      `${pid} on ${host} could not open its inspector: port ${port} is already taken by another process (listening on ${holder.address}:${port}); stop that process or restart ${pid} with --inspect-port=0.`,
    );
  }
  throw new NodeInspectorError(
    `${pid} on ${host} did not open its inspector within ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s after SIGUSR1; its stderr says why (a node built without the inspector, or one that handles SIGUSR1 itself).`,
  );
}

type TargetProcess = NonNullable<ProcessProbe['process']>;

function preflight(host: string, pid: number, probe: ProcessProbe): TargetProcess {
  const target = probe.process;
  if (!target) throw new NodeInspectorError(`There is no process ${pid} on ${host}; pick a running one.`);
  if (!isNodeExecutable(target.exe, target.cmdline)) {
    throw new NodeInspectorError(
      `${pid} on ${host} is not a Node process (${target.exe || 'its executable is unreadable'}); use a snapshot or gdb for it.`,
    );
  }
  if (probe.sshUid !== 0 && probe.sshUid !== target.uid) {
    throw new NodeInspectorError(
      `${pid} on ${host} belongs to uid ${target.uid} and the ssh login is uid ${probe.sshUid}; log in as its owner or as root to open its inspector.`,
    );
  }
  return target;
}

function isNodeExecutable(exe: string, cmdline: string): boolean {
  const name = (path: string) =>
    path
      .split('/')
      .pop()
      ?.replace(/ \(deleted\)$/, '') ?? '';
  return /^(node|nodejs)(\d+)?$/.test(name(exe)) || /^(node|nodejs)$/.test(name(cmdline.split(' ')[0] ?? ''));
}

/** The port the inspector opens on: node's --inspect[-brk|-port|-wait]=[host:]port, else 9229. */
export function inspectPort(cmdline: string): number {
  let port = DEFAULT_INSPECT_PORT;
  // Node's own options come before the script; what follows is the program's.
  for (const word of cmdline.split(' ').slice(1)) {
    if (!word.startsWith('-')) break;
    const match = /^--inspect(?:-brk|-port|-wait)?=(?:\S*:)?(\d+)$/.exec(word);
    if (match) port = Number(match[1]);
  }
  return port;
}

/** The expected port first, then the rest, bounded. */
function rankCandidates(listeners: readonly ListeningSocket[], port: number): ListeningSocket[] {
  return [...listeners].sort((a, b) => Number(b.port === port) - Number(a.port === port)).slice(0, MAX_CANDIDATES);
}

/**
 * The first socket that answers /json/version as Node's inspector, over the pooled connection. A
 * channel the SSH server refuses is the forwarding's problem, not the socket's: that is thrown.
 */
async function findInspector(
  runner: ForwardingRunner,
  clock: Clock,
  candidates: readonly ListeningSocket[],
): Promise<ListeningSocket | undefined> {
  for (const socket of candidates) {
    const address = connectAddress(socket.address);
    const stream = await runner.forwardOut(address, socket.port).catch((error: Error) => {
      throw new NodeInspectorError(
        `${runner.host} refused to forward to ${address}:${socket.port} over SSH (${oneLine(error.message)}); allow TCP forwarding for this login (sshd AllowTcpForwarding yes).`,
      );
    });
    // A server that never answers an HTTP request is not the inspector.
    const timer = clock.setTimeout(() => stream.destroy(new Error('no answer')), PROBE_TIMEOUT_MS);
    const version = await getInspectorJson(stream, `${address.includes(':') ? `[${address}]` : address}:${socket.port}`, '/json/version')
      .catch(() => undefined)
      .finally(() => timer.cancel());
    if (isNodeInspectorVersion(version)) return socket;
  }
  return undefined;
}

function oneLine(text: string): string {
  return text
    .replace(/[\x00-\x1f\x7f]+/g, ' ')
    .trim()
    .slice(0, 200);
}
