// Deploy, verify and a signal over a real OpenSSH host (harness sshd, logins as root), each through
// the production guard as the editor runs them: the host's deployCommand gets the hotfix's commit
// and branch, verify reads the host's revision afresh and compares it with the hotfix, a signal
// ends a real process; every step is on the event stream (guard.answered, command.ended,
// hotfix.deployed, hotfix.verified, process.signalled), which is what ticks step 3's checks.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EventBus } from '../../../src/core/events/bus';
import type { IncidentEvent } from '../../../src/core/events/types';
import { ProductionGuard, type GuardedHost } from '../../../src/core/guard/productionGuard';
import { deployHotfix, verifyHotfix } from '../../../src/core/hotfix/deploy';
import { HostCommandError } from '../../../src/core/hosts/hostCommand';
import { signalProcess } from '../../../src/core/hosts/serviceActions';
import type { SshPool } from '../../../src/core/ssh/pool';
import { resolveRevision } from '../../../src/core/traces/revision';
import { makeTempDir, startSandboxHost, trackProcess, type SandboxHost } from '../../harness';
import { initGitRepo } from '../../support/gitRepo';
import { poolFor } from '../ssh/support';

const HOST = 'web-1';

describe('deploy, verify and kill on a production host', () => {
  let sandbox: SandboxHost;
  let pool: SshPool;
  const bus = new EventBus();
  const events: IncidentEvent[] = [];
  bus.onAny((event) => events.push(event));
  const answers: (string | undefined)[] = [];
  const guard = new ProductionGuard({ ask: async () => answers.shift(), events: bus, who: 'ana', guest: () => false });
  const repo = makeTempDir('deploy-repo');
  const current = makeTempDir('deploy-current');
  let hotfix: { branch: string; commit: string; incident: string };
  const host = () => ({
    name: HOST,
    production: true,
    // The deploy: record what it was given, and switch the host's REVISION to it.
    deployCommand: `echo "deploying $FIREFIGHTER_BRANCH"; printf '%s\\n' "$FIREFIGHTER_REVISION" > ${current}/REVISION`,
    verifyCommand: `grep -qx "$FIREFIGHTER_REVISION" ${current}/REVISION`,
    revisionCommand: `cat ${current}/REVISION`,
  });
  /** As the editor does it: the guard first, the action only when allowed. */
  const guarded = async <T>(target: GuardedHost, action: string, run: () => Promise<T>): Promise<T | undefined> =>
    (await guard.confirm({ host: target, action, detail: `${action}.`, allow: 'Go' })).allowed ? run() : undefined;

  before(async () => {
    const git = initGitRepo(repo);
    writeFileSync(path.join(repo, 'app.py'), 'TIMEOUT = 1\n');
    git('add', '.');
    git('commit', '-q', '-m', 'release 1');
    writeFileSync(path.join(current, 'REVISION'), `${git('rev-parse', 'HEAD')}\n`);
    git('checkout', '-q', '-b', 'hotfix/2026-12-02-checkout');
    writeFileSync(path.join(repo, 'app.py'), 'TIMEOUT = 5\n');
    git('commit', '-q', '-am', 'longer timeout');
    hotfix = { branch: 'hotfix/2026-12-02-checkout', commit: git('rev-parse', 'HEAD'), incident: '2026-12-02-checkout' };
    sandbox = await startSandboxHost({ name: HOST });
    pool = poolFor(sandbox.configFile, { events: bus });
  });

  after(async () => {
    pool?.dispose();
    await sandbox?.stop();
  });

  test('before the deploy, verify says the host does not run the hotfix', async () => {
    const result = await verifyHotfix({ runner: pool.runner(HOST), host: host(), hotfix, resolve: (r) => resolveRevision(repo, r) });
    assert.equal(result.ok, false);
    assert.match(result.how, /failed \(1\); web-1 runs [0-9a-f]{40}, not [0-9a-f]{7}/);
  });

  test('a refused guard runs nothing; an allowed deploy runs deployCommand with the hotfix and publishes hotfix.deployed', async () => {
    events.length = 0;
    answers.push(undefined, 'Go');
    const deploy = () => deployHotfix({ runner: pool.runner(HOST), host: host(), hotfix, events: bus });
    assert.equal(await guarded(host(), 'deploy', deploy), undefined);
    assert.equal(events.filter((e) => e.name === 'command.started').length, 0, 'nothing ran after the refusal');
    const run = await guarded(host(), 'deploy', deploy);
    assert.equal(run?.exitCode, 0);
    assert.equal(run?.stdout, `deploying ${hotfix.branch}\n`);
    assert.equal(readFileSync(path.join(current, 'REVISION'), 'utf8'), `${hotfix.commit}\n`);
    const names = events.map((e) => e.name);
    assert.deepEqual(
      names.filter((n) => n !== 'connection.changed'),
      ['guard.answered', 'guard.answered', 'command.started', 'command.ended', 'hotfix.deployed'],
    );
    assert.deepEqual(
      events
        .filter((e) => e.name === 'guard.answered')
        .map((e) => [(e as IncidentEvent<'guard.answered'>).allowed, (e as IncidentEvent<'guard.answered'>).by]),
      [
        [false, 'ana'],
        [true, 'ana'],
      ],
    );
    const deployed = events.find((e) => e.name === 'hotfix.deployed') as IncidentEvent<'hotfix.deployed'>;
    assert.deepEqual([deployed.host, deployed.revision, deployed.branch], [HOST, hotfix.commit, hotfix.branch]);
    const ended = events.find((e) => e.name === 'command.ended') as IncidentEvent<'command.ended'>;
    assert.equal(ended.exitCode, 0);
    assert.match(ended.command, /^FIREFIGHTER_REVISION='[0-9a-f]{40}' FIREFIGHTER_BRANCH='hotfix\/2026-12-02-checkout' .* sh -c /);
  });

  test('after the deploy, verify runs verifyCommand and reads the revision afresh: ok, published as hotfix.verified', async () => {
    events.length = 0;
    answers.push('Go');
    const result = await guarded(host(), 'verify', () =>
      verifyHotfix({ runner: pool.runner(HOST), host: host(), hotfix, events: bus, resolve: (r) => resolveRevision(repo, r) }),
    );
    assert.equal(result?.ok, true, result?.how);
    const verified = events.filter((e) => e.name === 'hotfix.verified') as IncidentEvent<'hotfix.verified'>[];
    assert.deepEqual(
      verified.map((e) => [e.host, e.ok]),
      [[HOST, true]],
    );
    assert.equal(events.filter((e) => e.name === 'command.ended').length, 2, 'the verify command and the revision command');
  });

  test('a failing deploy names the host and the next step, keeps the output, and publishes no hotfix.deployed', async () => {
    events.length = 0;
    const broken = { ...host(), deployCommand: 'echo "migration 42 failed" >&2; exit 4' };
    const error = await deployHotfix({ runner: pool.runner(HOST), host: broken, hotfix, events: bus }).catch((e: unknown) => e);
    assert.ok(error instanceof HostCommandError);
    assert.match(error.message, /failed on web-1 \(exit code 4: migration 42 failed\)\. Read its output, fix the cause on web-1/);
    assert.equal(error.run?.stderr, 'migration 42 failed\n');
    assert.equal(events.filter((e) => e.name === 'hotfix.deployed').length, 0);
  });

  test('Kill Process: SIGTERM through the guard ends a real process on the host and publishes process.signalled', async () => {
    const victim = trackProcess(spawn('sleep', ['600'], { stdio: 'ignore' }));
    const exited = new Promise<string | null>((resolve) => victim.once('exit', (_code, signal) => resolve(signal)));
    events.length = 0;
    answers.push('Go');
    await guarded(host(), `send SIGTERM to ${victim.pid}`, () => signalProcess(pool.runner(HOST), victim.pid!, 'TERM', bus));
    assert.equal(await exited, 'SIGTERM');
    const signalled = events.find((e) => e.name === 'process.signalled') as IncidentEvent<'process.signalled'>;
    assert.deepEqual([signalled.host, signalled.pid, signalled.signal, signalled.exitCode], [HOST, victim.pid, 'SIGTERM', 0]);
    assert.deepEqual(
      events.filter((e) => e.name === 'guard.answered').map((e) => (e as IncidentEvent<'guard.answered'>).action),
      [`send SIGTERM to ${victim.pid}`],
    );
  });
});
