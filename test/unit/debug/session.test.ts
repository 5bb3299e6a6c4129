// The adapter's DAP translation, driven by DebugClient over the standalone server, with a
// snapshot runtime whose snapshots come from a function the test controls.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { SnapshotRuntime, type SnapshotView } from '../../../src/core/debug/snapshotRuntime';
import { startDebugServer, type DebugServer } from '../../../src/debug/server';
import type { AttachArguments } from '../../../src/debug/session';

let taken = 0;
function snapshot(): SnapshotView {
  taken++;
  return {
    host: 'web-1',
    pid: 4242,
    runtime: 'cpython 3.11',
    engine: 'python',
    pauseMs: 0,
    wallMs: 38,
    takenAt: 1_764_660_000_000 + taken,
    threads: [
      { id: 4250, name: 'load-1', frames: [{ function: 'sleep', file: null, line: null, column: null, app: false, local: null }] },
      {
        id: 4242,
        name: 'MainThread',
        frames: [
          { function: 'validate_email', file: '/srv/checkout/app.py', line: 31 + taken, column: null, app: true, local: null },
          { function: 'handle', file: '/srv/checkout/app.py', line: 60, column: null, app: true, local: null },
          { function: 'serve_forever', file: '/usr/lib/python3.11/socketserver.py', line: 237, column: null, app: false, local: null },
        ],
      },
    ],
  };
}

let server: DebugServer;
let client: DebugClient;
const remoteReads: string[] = [];
let detached = 0;

before(async () => {
  server = await startDebugServer({
    createRuntime: async (args: AttachArguments, progress) => {
      progress(`Snapshotting ${args.pid} on ${args.host}…`);
      const runtime = new SnapshotRuntime(async () => snapshot());
      const detach = runtime.detach.bind(runtime);
      runtime.detach = async () => {
        detached++;
        await detach();
      };
      return runtime;
    },
    mapper: {
      toLocal: async (_host, file) =>
        file.startsWith('/srv/checkout/') ? `/work/checkout/${file.slice('/srv/checkout/'.length)}` : undefined,
      toRemote: async (_host, file) => file,
    },
    readRemoteFile: async (host, file) => {
      remoteReads.push(`${host}:${file}`);
      return `# ${file} as deployed on ${host}\n`;
    },
  });
});

after(async () => {
  await server.close();
});

test('an attach without a pid is refused with a sentence saying what to add', async () => {
  client = new DebugClient('node', 'unused', 'firefighter');
  await client.start(server.port);
  await client.initializeRequest();
  await assert.rejects(client.attachRequest({ host: 'web-1' } as never), /needs "pid", a process id on web-1/);
  await client.stop();
});

test('a snapshot opens as a stopped session: threads, frames mapped to the workspace, library frames from the host', async () => {
  client = new DebugClient('node', 'unused', 'firefighter');
  await client.start(server.port);
  const stopped = client.waitForEvent('stopped');
  await client.initializeRequest();
  await client.attachRequest({ host: 'web-1', pid: 4242 } as never);
  await client.configurationDoneRequest();
  const stop = await stopped;
  assert.equal(stop.body.reason, 'snapshot');
  assert.equal(stop.body.allThreadsStopped, true);
  assert.match(stop.body.description ?? stop.body.text ?? '', /kept running/);

  assert.equal(stop.body.threadId, 4242, 'the thread running application code is shown first');
  const threads = (await client.threadsRequest()).body.threads;
  assert.deepEqual(
    threads.map((t) => t.name),
    ['load-1', 'MainThread'],
  );
  const frames = (await client.stackTraceRequest({ threadId: 4242 })).body.stackFrames;
  assert.deepEqual(
    frames.map((f) => [f.name, f.source?.path ?? f.source?.name, f.line]),
    [
      ['validate_email', '/work/checkout/app.py', 32],
      ['handle', '/work/checkout/app.py', 60],
      ['serve_forever', 'socketserver.py', 237],
    ],
  );
  assert.equal(frames[2].presentationHint, 'subtle');
  const reference = frames[2].source?.sourceReference ?? 0;
  assert.ok(reference > 0, 'an unmapped file is served from the host');
  const content = (await client.sourceRequest({ sourceReference: reference })).body.content;
  assert.equal(content, '# /usr/lib/python3.11/socketserver.py as deployed on web-1\n');
  assert.deepEqual(remoteReads, ['web-1:/usr/lib/python3.11/socketserver.py']);

  // Continue shows the process as it is now: a new snapshot, the program never having stopped.
  const again = client.waitForEvent('stopped');
  await client.continueRequest({ threadId: 4242 });
  await again;
  const newer = (await client.stackTraceRequest({ threadId: 4242 })).body.stackFrames;
  assert.equal(newer[0].line, 33);

  await assert.rejects(client.nextRequest({ threadId: 4242 }), /never stops the process/);
  const breakpoints = await client.setBreakpointsRequest({ source: { path: '/work/checkout/app.py' }, breakpoints: [{ line: 10 }] });
  assert.equal(breakpoints.body.breakpoints[0].verified, false);

  await client.disconnectRequest();
  assert.equal(detached, 1);
  await client.stop();
});
