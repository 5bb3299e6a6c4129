// What a debug session needs from the services: the runtime for an attach (a snapshot or gdb on
// the host's pooled connection), the path-mapping rules both ways, and a host file's text for
// frames no rule maps. No vscode here, so the extension (features.ts) and the DebugClient
// integration tests build sessions the same way; a Node attach needs VS Code's JavaScript
// debugger, so it comes in as a hook (docs/architecture.md, "Debugging").
import { createGdbRuntime, type GdbAttachOptions } from '../core/debug/gdb';
import type { DebugRuntime } from '../core/debug/runtime';
import { SnapshotRuntime } from '../core/debug/snapshotRuntime';
import { ruleSourceMapper } from '../core/debug/sourceMapper';
import type { EventPublisher } from '../core/events';
import { SnapshotSession } from '../core/snapshot/session';
import type { EngineChoice } from '../core/snapshot/types';
import type { RemoteRunner } from '../core/ssh/remote';
import type { PathMappingRules } from '../core/traces/pathMappingRules';
import { shellWord } from '../core/util/shell';
import type { AttachArguments, SessionDependencies } from './session';

export interface RuntimeFactoryServices<R extends RemoteRunner = RemoteRunner> {
  /** The pooled connections: one per host, shared with everything else that talks to it. */
  pool: { connect(name: string): Promise<R> };
  events: EventPublisher;
  /** The stack-trace links' rules: frames and breakpoints map the same way. */
  pathMappings: Pick<PathMappingRules, 'forHost'>;
  /** Mode "node": hands the process to VS Code's JavaScript debugger. Without it that mode is refused. */
  attachNode?: (runner: R, args: AttachArguments) => Promise<DebugRuntime>;
  /** The gdb watchdog's heartbeat and silence limit (createGdbRuntime's defaults otherwise). */
  gdb?: Pick<GdbAttachOptions, 'heartbeatMs' | 'watchdogTimeoutMs'>;
}

/** The most of a host file shown as a frame's source. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/** A session's dependencies over real hosts: what FirefighterDebugSession (and startDebugServer) take. */
export function sessionDependencies<R extends RemoteRunner>(services: RuntimeFactoryServices<R>): SessionDependencies {
  return {
    createRuntime: (args, progress) => createRuntime(services, args, progress),
    mapper: ruleSourceMapper((host) => services.pathMappings.forHost(host)),
    readRemoteFile: async (host, file) => readRemoteFile(await services.pool.connect(host), file),
  };
}

async function createRuntime<R extends RemoteRunner>(
  services: RuntimeFactoryServices<R>,
  args: AttachArguments,
  progress: (message: string) => void,
): Promise<DebugRuntime> {
  progress(`Connecting to ${args.host}…`);
  const runner = await services.pool.connect(args.host);
  if (args.mode === 'gdb') {
    progress(`Attaching gdb to ${args.pid} on ${args.host}…`);
    return createGdbRuntime(runner, { ...services.gdb, host: args.host, pid: args.pid, sudo: args.sudo, events: services.events });
  }
  if (args.mode === 'node') {
    if (!services.attachNode) throw new Error("A Node attach hands the process to VS Code's JavaScript debugger: start it from VS Code.");
    progress(`Opening the inspector of ${args.pid} on ${args.host}…`);
    return services.attachNode(runner, args);
  }
  progress(`Reading the stacks of ${args.pid} on ${args.host}…`);
  // One session per debug session: Continue's next snapshot asks a reader kept alive on the host.
  return new SnapshotRuntime(
    new SnapshotSession(runner, args.pid, { engine: (args.engine ?? 'auto') as EngineChoice, events: services.events }),
  );
}

/** Up to MAX_SOURCE_BYTES of a host file; an Error with the host's own words when it cannot be read. */
async function readRemoteFile(runner: RemoteRunner, file: string): Promise<string> {
  const result = await runner.exec(`head -c ${MAX_SOURCE_BYTES} -- ${shellWord(file)}`);
  if (result.exitCode !== 0) throw new Error(result.stderr.trim() || `exit ${result.exitCode}`);
  return result.stdout;
}
