// The probe script run by a real shell against real processes on this machine (this test's own
// node process, which listens on a server it opened), and SigCgt read from captured status files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectPort } from '../../../../src/core/debug/node/inspector';
import { catchesSignal, parseProbe, probeScript } from '../../../../src/core/debug/node/probe';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const runProbe = (pid: number) => parseProbe(execFileSync('sh', ['-c', probeScript('n0nce', pid)]).toString(), 'n0nce');

test("the probe finds this node process's listening server, its exe, owner and SIGUSR1 handler", async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const probe = runProbe(process.pid);
    assert.equal(probe.sshUid, process.getuid!());
    assert.equal(probe.process?.exe, process.execPath);
    assert.equal(probe.process?.uid, process.getuid!());
    assert.equal(probe.process?.catchesSigusr1, true);
    assert.ok(probe.process?.cmdline.split(' ').includes(process.argv[1]!), 'the test file is in the command line');
    const port = (server.address() as net.AddressInfo).port;
    assert.deepEqual(
      probe.process?.listeners.filter((s) => s.port === port).map((s) => s.address),
      ['127.0.0.1'],
    );
  } finally {
    server.close();
  }
});

test('a pid that does not exist probes as gone', () => {
  assert.deepEqual(runProbe(999_999_999), { sshUid: process.getuid!() });
});

test('SigCgt: node catches SIGUSR1, sleep does not (captured /proc/PID/status)', () => {
  assert.equal(catchesSignal(fixture('proc-status-node.txt'), 10), true);
  assert.equal(catchesSignal(fixture('proc-status-sleep.txt'), 10), false);
  assert.equal(catchesSignal(fixture('proc-status-sleep.txt'), 2), false);
  assert.equal(catchesSignal(fixture('proc-status-node.txt'), 2), true, 'SIGINT');
});

test('the inspector port from the command line, 9229 otherwise', () => {
  assert.equal(inspectPort('node app.js'), 9229);
  assert.equal(inspectPort('node --inspect-port=9330 app.js'), 9330);
  assert.equal(inspectPort('node --inspect=0.0.0.0:9400 app.js'), 9400);
  assert.equal(inspectPort('node --inspect-brk=9500 app.js --inspect=1'), 9500, "the program's own arguments are not node's");
  assert.equal(inspectPort('node app.js --inspector=7'), 9229);
});
