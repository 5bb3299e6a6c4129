// The standalone adapter in a Node process of its own, as the fault loop needs it (a crashed
// adapter is a SIGKILLed process, not a closed channel): the server of src/debug/server.ts with
// sessions built by the extension's runtime factory over its own pool, from the ssh_config given.
// Run with `node --import tsx dapServerMain.ts CONFIG HEARTBEAT_MS WATCHDOG_TIMEOUT_MS`; prints
// `firefighter-dap-port PORT` once it listens, and exits when its stdin ends (its test went away).
import { EventBus } from '../../../src/core/events';
import { PathMappingRules } from '../../../src/core/traces/pathMappingRules';
import { sessionDependencies } from '../../../src/debug/runtimeFactory';
import { startDebugServer } from '../../../src/debug/server';
import { poolFor } from '../ssh/support';

export const PORT_LINE = 'firefighter-dap-port';

async function main(): Promise<void> {
  const [configFile, heartbeatMs, watchdogTimeoutMs] = process.argv.slice(2);
  if (!configFile || !heartbeatMs || !watchdogTimeoutMs) throw new Error('usage: dapServerMain.ts CONFIG HEARTBEAT_MS WATCHDOG_TIMEOUT_MS');
  const pool = poolFor(configFile);
  const rules = new PathMappingRules();
  const server = await startDebugServer(
    sessionDependencies({
      pool,
      events: new EventBus(),
      pathMappings: rules,
      gdb: { heartbeatMs: Number(heartbeatMs), watchdogTimeoutMs: Number(watchdogTimeoutMs) },
    }),
  );
  process.stdout.write(`${PORT_LINE} ${server.port}\n`);
  process.stdin.on('end', () => {
    // An orderly end: every session detaches (its runtime's dispose), then the pool closes.
    void server.close().then(() => {
      pool.dispose();
      rules.dispose();
      process.exit(0);
    });
  });
  process.stdin.resume();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
