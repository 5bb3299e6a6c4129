// The preflight: its script run by a real sh on this machine, its parser, and one sentence per
// problem naming the host and what to change.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { test } from 'node:test';
import { parsePreflight, preflightCommand, preflightProblem, type PreflightFacts } from '../../../../src/core/debug/gdb/preflight';

const ok: PreflightFacts = {
  exists: true,
  name: 'app',
  state: 'S',
  uids: [1000, 1000, 1000],
  tracerPid: 0,
  ptraceScope: 0,
  uid: 1000,
  user: 'deploy',
  gdbPath: '/usr/bin/gdb',
};
const context = { host: 'web-1', pid: 4242, sudo: false };

test('the script reads a live process as the host shell runs it', async () => {
  const child = spawn('sleep', ['30']);
  try {
    const facts = parsePreflight(execFileSync('sh', ['-c', preflightCommand(child.pid!, false)], { encoding: 'utf8' }));
    assert.equal(facts.exists, true);
    assert.equal(facts.name, 'sleep');
    assert.deepEqual(facts.uids, [process.getuid!(), process.getuid!(), process.getuid!()]);
    assert.equal(facts.uid, process.getuid!());
    assert.equal(facts.tracerPid, 0);
    assert.equal(facts.gdbPath, execFileSync('sh', ['-c', 'command -v gdb'], { encoding: 'utf8' }).trim());
    assert.equal(facts.sudo, undefined);
    assert.equal(preflightProblem(facts, { ...context, pid: child.pid! }), undefined);
  } finally {
    child.kill();
  }
  const gone = parsePreflight(execFileSync('sh', ['-c', preflightCommand(999_999_999, false)], { encoding: 'utf8' }));
  assert.equal(gone.exists, false);
});

test('each problem is one sentence with the host and what to change', () => {
  const cases: [Partial<PreflightFacts>, boolean, RegExp][] = [
    [{ exists: false }, false, /^Process 4242 does not exist on web-1: pick a running process/],
    [{ gdbPath: '' }, false, /^gdb is not installed on web-1 \(not on deploy's PATH\): install it/],
    [{ uids: [0, 0, 0] }, false, /^Process 4242 on web-1 runs as uid 0 but you log in as deploy \(uid 1000\): turn on "sudo"/],
    [{ uids: [1000, 0, 1000] }, false, /runs as uid 0 but you log in as deploy/],
    [{ ptraceScope: 2 }, false, /^web-1 allows ptrace only to root \(kernel\.yama\.ptrace_scope=2\): turn on "sudo"/],
    [{ ptraceScope: 3, uid: 0, user: 'root' }, false, /^ptrace is disabled on web-1 \(kernel\.yama\.ptrace_scope=3, until reboot\)/],
    [{ tracerPid: 77 }, false, /^Process 4242 on web-1 is already traced by pid 77/],
    [
      { sudo: 'password', sudoGdbPath: '/usr/bin/gdb' },
      true,
      /^sudo on web-1 asks deploy for a password \(sudo -n failed\): allow passwordless sudo/,
    ],
    [{ sudo: 'missing' }, true, /^sudo is not installed on web-1/],
    [{ sudo: 'ok' }, true, /^gdb is not installed on web-1 \(not on root's PATH\)/],
  ];
  for (const [facts, sudo, expected] of cases) {
    const problem = preflightProblem({ ...ok, ...facts }, { ...context, sudo });
    assert.match(problem ?? '(none)', expected);
    assert.ok(problem!.endsWith('.') && problem!.includes('web-1') && !/\n/.test(problem!), problem);
  }
});

test('ptrace_scope 1 stops the owner (not root); no Yama at all, scope 0, root or sudo are fine', () => {
  assert.match(
    preflightProblem({ ...ok, ptraceScope: 1 }, context) ?? '',
    /ptrace only its own child processes \(kernel\.yama\.ptrace_scope=1\): turn on "sudo".*sysctl kernel\.yama\.ptrace_scope=0" on web-1/,
  );
  assert.equal(preflightProblem({ ...ok, ptraceScope: undefined }, context), undefined);
  assert.equal(preflightProblem(ok, context), undefined);
  assert.equal(preflightProblem({ ...ok, ptraceScope: 1, uid: 0, user: 'root' }, context), undefined);
  assert.equal(preflightProblem({ ...ok, uid: 0, user: 'root', uids: [33, 33, 33] }, context), undefined);
  assert.equal(
    preflightProblem({ ...ok, uids: [0, 0, 0], sudo: 'ok', sudoGdbPath: '/usr/bin/gdb' }, { ...context, sudo: true }),
    undefined,
  );
});

test('the parser strips control characters from the process name and ignores noise', () => {
  const facts = parsePreflight(
    'motd line\nexists=1\nname=evil\x1b[2Jname\nuids=5\t5\t5\nyama=\nuid=5\nuser=app\ngdb=/usr/bin/gdb\nsudo=ok\nsudogdb=/usr/bin/gdb\n',
  );
  assert.equal(facts.name, 'evil [2Jname');
  assert.equal(facts.ptraceScope, undefined);
  assert.deepEqual(facts.uids, [5, 5, 5]);
  assert.equal(facts.sudo, 'ok');
  assert.equal(facts.sudoGdbPath, '/usr/bin/gdb');
});
