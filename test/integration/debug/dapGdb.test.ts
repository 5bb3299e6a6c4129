// Interactive attach through DAP: DebugClient drives the standalone adapter, built with the
// extension's own runtime factory, on a real sshd host over a real pool; real gdb under the
// watchdog attaches to the C target built from a "deployed" copy of target.c, while the
// breakpoints are set on the workspace copy and mapped by the path-mapping rules. The watchdog's
// silence limit is far beyond the tests' waits, so a target that runs again after a disconnect
// was let go by the adapter's own detach. After each session every thread runs, TracerPid 0.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../ssh/support';
import { attach, connect, HOST, nextStop, startDapHost, type Client, type DapHost } from './dapSupport';
import {
  compileTarget,
  describeTasks,
  markerLine,
  runsFreely,
  startTarget,
  taskTracedButRunning,
  TARGET_SOURCE,
  type Target,
} from './gdbSupport';

let host: DapHost;
let target: Target;
/** target.c in the workspace, and where the host's binary was built from. */
let local: string;
let deployed: string;

before(async () => {
  host = await startDapHost('dap-gdb', { watchdogTimeoutMs: 600_000 });
  const remoteRoot = path.join(host.dir, 'srv', 'pricing');
  const localRoot = path.join(host.dir, 'workspace');
  mkdirSync(remoteRoot, { recursive: true });
  mkdirSync(localRoot);
  deployed = path.join(remoteRoot, 'target.c');
  local = path.join(localRoot, 'target.c');
  copyFileSync(TARGET_SOURCE, deployed);
  copyFileSync(TARGET_SOURCE, local);
  target = await startTarget(compileTarget(host.dir, deployed));
});

after(async () => {
  await target.stop();
  await host.stop();
});

async function assertRunsFreely(what: string): Promise<void> {
  await waitFor(`every thread to run untraced after ${what}`, () => runsFreely(target.pid), 20_000).catch((error: Error) => {
    throw new Error(`${error.message}: ${describeTasks(target.pid)}`);
  });
}

/** The 1-based line of target.c holding `text`. */
function lineOf(text: string): number {
  return (
    readFileSync(local, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

async function variables(client: Client, reference: number) {
  return (await client.dap.variablesRequest({ variablesReference: reference })).body.variables;
}

test(
  'a breakpoint set on the workspace file is hit in the process; variables, evaluate, continue; disconnect lets every thread run',
  { timeout: 120_000 },
  async () => {
    const client = await connect(host.server);
    const line = markerLine('BREAK-COST');
    let breakpointId: number | undefined;
    await attach(client, { host: HOST, pid: target.pid, mode: 'gdb' }, async (dap) => {
      // The host path comes from the rules: mapped to a tree the binary was not built from, the
      // breakpoint finds no code (a bare file name would have found target.c anyway).
      host.rules.set([{ remoteRoot: '/srv/elsewhere', localRoot: path.dirname(local) }]);
      const elsewhere = (await dap.setBreakpointsRequest({ source: { path: local }, breakpoints: [{ line }] })).body.breakpoints;
      assert.equal(elsewhere[0]?.verified, false);
      assert.match(elsewhere[0]?.message ?? '', /pending/);
      await dap.setBreakpointsRequest({ source: { path: local }, breakpoints: [] });
      host.rules.set([{ remoteRoot: path.dirname(deployed), localRoot: path.dirname(local) }]);
      const placed = (await dap.setBreakpointsRequest({ source: { path: local }, breakpoints: [{ line, condition: 'quantity == 2' }] }))
        .body.breakpoints;
      assert.deepEqual(
        placed.map((b) => [b.verified, b.line]),
        [[true, line]],
        JSON.stringify(placed),
      );
      breakpointId = placed[0]!.id;
    });
    assert.ok(client.output.some((text) => text.startsWith(`Attaching gdb to ${target.pid} on ${HOST}`)));

    const stop = await nextStop(client, 0);
    assert.equal(stop.body.reason, 'breakpoint');
    assert.equal(stop.body.allThreadsStopped, true);
    assert.deepEqual(stop.body.hitBreakpointIds, [breakpointId]);
    assert.ok(!runsFreely(target.pid), 'the target is stopped at the breakpoint');

    const threads = (await client.dap.threadsRequest()).body.threads;
    assert.equal(threads.length, 4);
    assert.ok(
      threads.some((th) => th.id === stop.body.threadId && th.name.startsWith('worker-2')),
      JSON.stringify(threads),
    );

    const frames = (await client.dap.stackTraceRequest({ threadId: stop.body.threadId! })).body.stackFrames;
    assert.deepEqual(
      frames.slice(0, 2).map((f) => [f.name, f.source?.path, f.line]),
      [
        ['price', local, line],
        ['worker', local, lineOf('price((int)quantity, round);')],
      ],
    );

    const scopes = (await client.dap.scopesRequest({ frameId: frames[0]!.id })).body.scopes;
    const scope = (name: string) => {
      const found = scopes.find((s) => s.name === name);
      assert.ok(found, `no ${name} scope in ${scopes.map((s) => s.name).join(', ')}`);
      return found.variablesReference;
    };
    const args = await variables(client, scope('Arguments'));
    assert.deepEqual(
      args.map((v) => [v.name, v.type]),
      [
        ['quantity', 'int'],
        ['round', 'int'],
      ],
    );
    assert.equal(args[0]!.value, '2');
    const locals = await variables(client, scope('Locals'));
    const item = locals.find((v) => v.name === 'item');
    assert.ok(item && item.variablesReference > 0, JSON.stringify(locals));
    const fields = await variables(client, item.variablesReference);
    assert.deepEqual(
      fields.filter((v) => v.name !== 'label').map((v) => [v.name, v.value]),
      [
        ['id', args[1]!.value],
        ['amount', '3'],
      ],
    );

    const evaluated = await client.dap.evaluateRequest({ expression: 'quantity * 10 + round', frameId: frames[0]!.id });
    assert.equal(evaluated.body.result, String(20 + Number(args[1]!.value)));

    // Continue: the breakpoint gone, the process runs on under gdb.
    await client.dap.setBreakpointsRequest({ source: { path: local }, breakpoints: [] });
    await client.dap.continueRequest({ threadId: stop.body.threadId! });
    await waitFor('the process to run under gdb', () => taskTracedButRunning(target.pid), 20_000);
    assert.equal(client.stops.length, 1);

    await client.dap.disconnectRequest();
    await assertRunsFreely('the disconnect');
    assert.equal(client.terminated, 1);
    await client.dap.stop();
    const names = host.events.filter((e) => 'pid' in e && e.pid === target.pid && e.name.startsWith('debug.')).map((e) => e.name);
    assert.equal(names[0], 'debug.attached');
    assert.equal(names.at(-1), 'debug.detached');
  },
);

test('disconnect while a pause is in flight: the target runs with no tracer', { timeout: 120_000 }, async () => {
  const client = await connect(host.server);
  await attach(client, { host: HOST, pid: target.pid, mode: 'gdb' });
  await waitFor('the process to run under gdb', () => taskTracedButRunning(target.pid), 20_000);
  const pausing = client.dap.pauseRequest({ threadId: 0 }).catch(() => undefined);
  await client.dap.disconnectRequest();
  await pausing;
  await assertRunsFreely('a disconnect mid-pause');
  await client.dap.stop();
});

test('disconnect while paused: the target runs with no tracer', { timeout: 120_000 }, async () => {
  const client = await connect(host.server);
  await attach(client, { host: HOST, pid: target.pid, mode: 'gdb' });
  await client.dap.pauseRequest({ threadId: 0 });
  const paused = await nextStop(client, 0);
  assert.equal(paused.body.reason, 'pause');
  assert.ok(!runsFreely(target.pid), 'the target is paused');
  await client.dap.disconnectRequest();
  await assertRunsFreely('a disconnect while paused');
  await client.dap.stop();
});
