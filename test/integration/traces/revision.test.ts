// The deployed revision read from a real OpenSSH host (harness sshd on loopback) through the pool,
// then a frame's line placed at that revision or moved onto HEAD across a real git history.
import type { IncidentEvent } from '../../../src/core/events';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeployedRevisions, describePlan, planRevision } from '../../../src/core/traces/deployed';
import { readFileAtRevision } from '../../../src/core/traces/revision';
import type { SshPool } from '../../../src/core/ssh/pool';
import { makeTempDir, startSandboxHost, type SandboxHost } from '../../harness';
import { poolFor, onCommandEnded } from '../ssh/support';
import { initGitRepo } from '../../support/gitRepo';

const HOST = 'web-1';

describe('deployed revision over SSH', () => {
  let sandbox: SandboxHost;
  let pool: SshPool;
  const commands: IncidentEvent<'command.ended'>[] = [];
  const repo = makeTempDir('traces-repo');
  const release = makeTempDir('traces-release');
  let git: (...args: string[]) => string;
  let deployed = '';

  before(async () => {
    git = initGitRepo(repo);
    mkdirSync(path.join(repo, 'app'));
    const handler = ['def handle(request):', '    user = load(request)', '    total = price(user)', '    return total / user.items', ''];
    writeFileSync(path.join(repo, 'app', 'views.py'), handler.join('\n'));
    git('add', '.');
    git('commit', '-q', '-m', 'release 1');
    deployed = git('rev-parse', 'HEAD');
    // After the deploy: a docstring and an import above the handler, then the fix of its last line.
    writeFileSync(path.join(repo, 'app', 'views.py'), ['import logging', '', ...handler].join('\n'));
    git('commit', '-q', '-am', 'logging');
    const fixed = ['import logging', '', ...handler.slice(0, 3), '    return total / max(1, user.items)', ''];
    writeFileSync(path.join(repo, 'app', 'views.py'), fixed.join('\n'));
    git('commit', '-q', '-am', 'fix division by zero');
    // The host's release directory says which commit runs there.
    writeFileSync(path.join(release, 'REVISION'), `${deployed}\n`);

    sandbox = await startSandboxHost({ name: HOST });
    pool = poolFor(sandbox.configFile);
    onCommandEnded(pool, (record) => commands.push(record));
  });

  after(async () => {
    pool?.dispose();
    await sandbox?.stop();
  });

  const revisions = () => new DeployedRevisions((host, command) => pool.runner(host).exec(command, { timeoutMs: 10_000 }));

  test('reads the revision with revisionCommand on the host, once per TTL, and the pool records the command', async () => {
    const reader = revisions();
    const source = { revisionCommand: `cat ${release}/REVISION` };
    assert.equal(await reader.read(HOST, source), deployed);
    assert.equal(await reader.read(HOST, source), deployed);
    const runs = commands.filter((record) => record.command === source.revisionCommand);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].host, HOST);
    assert.equal(runs[0].exitCode, 0);
  });

  test('a failing revision command says which host and what to fix', async () => {
    await assert.rejects(
      revisions().read(HOST, { revisionCommand: `cat ${release}/MISSING` }),
      /revision command of web-1 failed.*No such file.*revisionCommand/,
    );
  });

  test('"deployed" mode shows the line at the deployed commit, read from git', async () => {
    const revision = await revisions().read(HOST, { revisionCommand: `cat ${release}/REVISION` });
    assert.ok(revision);
    const plan = await planRevision(path.join(repo, 'app', 'views.py'), 4, revision, 'deployed');
    assert.equal(plan.kind, 'deployed');
    if (plan.kind !== 'deployed') return;
    const text = await readFileAtRevision(plan.repo, plan.commit, plan.file);
    assert.equal(text.split('\n')[plan.line - 1], '    return total / user.items');
    assert.equal(describePlan(plan, HOST), `Showing views.py at deployed ${deployed.slice(0, 7)} on web-1 (2 commits behind HEAD)`);
  });

  test('"head" mode moves the line onto HEAD through the hunks and says the line changed', async () => {
    const revision = await revisions().read(HOST, { revisionCommand: `cat ${release}/REVISION` });
    assert.ok(revision);
    const moved = await planRevision(path.join(repo, 'app', 'views.py'), 3, revision, 'head');
    assert.deepEqual(moved.kind === 'head' && [moved.file, moved.line, moved.moved], ['app/views.py', 5, 'moved']);
    const changed = await planRevision(path.join(repo, 'app', 'views.py'), 4, revision, 'head');
    assert.deepEqual(changed.kind === 'head' && [changed.line, changed.moved], [6, 'changed']);
    assert.match(
      describePlan(changed, HOST) ?? '',
      /views\.py:4 at deployed \w{7} on web-1 was changed since; nearest line at HEAD is 6 \(2 commits behind HEAD\)/,
    );
  });

  test('a revision the local repository lacks asks for a fetch', async () => {
    writeFileSync(path.join(release, 'REVISION.next'), '0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f\n');
    const revision = await revisions().read(HOST, { revisionCommand: `cat ${release}/REVISION.next` });
    assert.ok(revision);
    const plan = await planRevision(path.join(repo, 'app', 'views.py'), 4, revision, 'deployed');
    assert.equal(plan.kind, 'unknown-revision');
    assert.match(describePlan(plan, HOST) ?? '', /web-1 runs revision 0f0f0f0f.*git fetch --all/);
  });
});
