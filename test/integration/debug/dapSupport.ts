// Shared pieces of the DebugClient tests: a harness sshd host reached through a real pool, the
// standalone adapter (startDebugServer) built with the extension's own runtime factory and
// path-mapping rules, and a DebugClient that records the events it hears.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { EventBus, type IncidentEvent } from '../../../src/core/events';
import type { SshPool } from '../../../src/core/ssh/pool';
import { PathMappingRules } from '../../../src/core/traces/pathMappingRules';
import { sessionDependencies, type RuntimeFactoryServices } from '../../../src/debug/runtimeFactory';
import { startDebugServer, type DebugServer } from '../../../src/debug/server';
import type { AttachArguments } from '../../../src/debug/session';
import { generateKey, makeTempDir, startSshHost, writeSshConfig } from '../../harness';
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
export async function connect(server: DebugServer): Promise<Client> {
  const dap = new DebugClient('node', 'unused', 'firefighter');
  await dap.start(server.port);
  const client: Client = { dap, stops: [], continued: [], output: [], terminated: 0 };
  dap.on('stopped', (event: DebugProtocol.StoppedEvent) => client.stops.push(event));
  dap.on('continued', (event: DebugProtocol.ContinuedEvent) => client.continued.push(event));
  dap.on('output', (event: DebugProtocol.OutputEvent) => client.output.push(event.body.output));
  dap.on('terminated', () => client.terminated++);
  return client;
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
