// Shared pieces of the DebugClient tests: a harness sshd host reached through a real pool, the
// standalone adapter (startDebugServer) built with the extension's own runtime factory and
// path-mapping rules, in this process or in a child process of its own (dapServerMain.ts), and a
// DebugClient that records the events it hears.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { EventBus, type IncidentEvent } from '../../../src/core/events';
import type { SshPool } from '../../../src/core/ssh/pool';
import { PathMappingRules } from '../../../src/core/traces/pathMappingRules';
import { sessionDependencies, type RuntimeFactoryServices } from '../../../src/debug/runtimeFactory';
import { startDebugServer, type DebugServer } from '../../../src/debug/server';
import type { AttachArguments } from '../../../src/debug/session';
import { generateKey, makeTempDir, startSshHost, stopProcess, trackProcess, writeSshConfig } from '../../harness';
import { poolFor, waitFor } from '../ssh/support';

/** The host's name in the test's ssh_config. */
export const HOST = 'web-1';

export interface DapHost {
  dir: string;
  pool: SshPool;
  server: DebugServer;
  /** The rules the adapter maps with, as the `firefighter.pathMappings` setting feeds them. */
  rules: PathMappingRules;
  /** Every incident event the runtimes published. */
  events: IncidentEvent[];
  stop(): Promise<void>;
}

/** An sshd host on loopback and the adapter serving sessions on it, as the extension builds them. */
export async function startDapHost(what: string, gdb?: RuntimeFactoryServices['gdb']): Promise<DapHost> {
  const dir = makeTempDir(what);
  const userKey = await generateKey({ dir, name: 'id_user' });
  const web = await startSshHost({ name: HOST, authorizedKeys: [userKey.publicKey] });
  const { configFile } = writeSshConfig({ dir, entries: [{ host: web, identityFiles: [userKey.privateKeyPath] }] });
  const pool = poolFor(configFile);
  const bus = new EventBus();
  const events: IncidentEvent[] = [];
  bus.onAny((event) => events.push(event));
  const rules = new PathMappingRules();
  const server = await startDebugServer(sessionDependencies({ pool, events: bus, pathMappings: rules, gdb }));
  return {
    dir,
    pool,
    server,
    rules,
    events,
    stop: async () => {
      await server.close();
      pool.dispose();
      rules.dispose();
      await web.stop();
    },
  };
}

export interface Client {
  dap: DebugClient;
  stops: DebugProtocol.StoppedEvent[];
  continued: DebugProtocol.ContinuedEvent[];
  output: string[];
  terminated: number;
}

/** A DebugClient on the standalone server, recording stops, continues, output and termination. */
export async function connect(server: Pick<DebugServer, 'port'>): Promise<Client> {
  const dap = new DebugClient('node', 'unused', 'firefighter');
  await dap.start(server.port);
  return recording(dap);
}

/** DebugClient over a stream the test owns (its own `start(port)` ignores socket errors). */
class StreamDebugClient extends DebugClient {
  constructor(socket: Socket) {
    super('node', 'unused', 'firefighter');
    this.connect(socket, socket);
  }
}

/**
 * A DebugClient on a socket of its own, for an adapter that may be killed under it: the socket's
 * errors are heard (not thrown), waitForEvent gives up after `timeoutMs` (DebugClient's server
 * mode waits forever), and `close()` drops the connection without a request.
 */
export async function connectSocket(port: number, timeoutMs: number): Promise<Client & { close(): void }> {
  const socket: Socket = createConnection(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const dap = new StreamDebugClient(socket);
  dap.defaultTimeout = timeoutMs;
  return Object.assign(recording(dap), { close: () => socket.destroy() });
}

function recording(dap: DebugClient): Client {
  const client: Client = { dap, stops: [], continued: [], output: [], terminated: 0 };
  dap.on('stopped', (event: DebugProtocol.StoppedEvent) => client.stops.push(event));
  dap.on('continued', (event: DebugProtocol.ContinuedEvent) => client.continued.push(event));
  dap.on('output', (event: DebugProtocol.OutputEvent) => client.output.push(event.body.output));
  dap.on('terminated', () => client.terminated++);
  return client;
}

export interface AdapterProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGKILL, as a crash would end it: nothing of its own runs after this. */
  kill(): Promise<void>;
  /** An orderly end (its stdin closes), SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/**
 * The standalone adapter in a Node process of its own (dapServerMain.ts under tsx), its sessions
 * built by the runtime factory over its own pool from `configFile`; resolves once it listens.
 */
export async function startAdapterProcess(
  configFile: string,
  gdb: { heartbeatMs: number; watchdogTimeoutMs: number },
): Promise<AdapterProcess> {
  const main = path.join(__dirname, 'dapServerMain.ts');
  const child = trackProcess(
    spawn(process.execPath, ['--import', 'tsx', main, configFile, String(gdb.heartbeatMs), String(gdb.watchdogTimeoutMs)], {
      cwd: path.join(__dirname, '../../..'),
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /firefighter-dap-port (\d+)/.exec(out);
      if (found) resolve(Number(found[1]));
    });
    child.once('exit', (code, signal) => reject(new Error(`the adapter process exited before listening (${code ?? signal})`)));
  });
  child.stdout!.resume();
  return {
    port,
    child,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.stdin!.end();
      const timer = setTimeout(() => void stopProcess(child), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * What VS Code does: initialize, attach, then (once the adapter says it is initialized) set the
 * breakpoints with `configure` and finish with configurationDone.
 */
export async function attach(
  client: Client,
  args: AttachArguments,
  configure: (dap: DebugClient) => Promise<void> = async () => undefined,
): Promise<void> {
  const initialized = client.dap.waitForEvent('initialized');
  await client.dap.initializeRequest();
  await client.dap.attachRequest(args);
  await initialized;
  await configure(client.dap);
  await client.dap.configurationDoneRequest();
}

/** The stop after the first `seen` ones. */
export async function nextStop(client: Client, seen: number): Promise<DebugProtocol.StoppedEvent> {
  await waitFor(`stop ${seen + 1}`, () => client.stops.length > seen, 60_000);
  return client.stops[seen]!;
}
