// The deployed-revision core the extension uses: reading a host's revision (cached briefly, errors
// that name the host), and the plan for a frame's line against a real git history.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DeployedRevisionError,
  DeployedRevisions,
  describeDistance,
  describePlan,
  parseRevisionOutput,
  planRevision,
} from '../../../src/core/traces/deployed';
import { initGitRepo } from '../../support/gitRepo';

describe('parseRevisionOutput', () => {
  it('takes the first non-empty line when it is a git revision', () => {
    assert.equal(parseRevisionOutput('\n  4f2a9c1e\n'), '4f2a9c1e');
    assert.equal(parseRevisionOutput('v1.2.3\nbuilt by ci\n'), 'v1.2.3');
    assert.equal(parseRevisionOutput('origin/release-7'), 'origin/release-7');
  });

  it('refuses text that is not one, or that git would read as an option', () => {
    assert.equal(parseRevisionOutput(''), null);
    assert.equal(parseRevisionOutput('cat: REVISION: No such file'), null);
    assert.equal(parseRevisionOutput('--output=/tmp/x'), null);
    assert.equal(parseRevisionOutput('a'.repeat(201)), null);
  });
});

describe('DeployedRevisions', () => {
  const ok = (stdout: string) => ({ exitCode: 0, stdout, stderr: '' });

  it('returns a fixed revision without running anything, and null when the host declares none', async () => {
    const revisions = new DeployedRevisions(async () => assert.fail('no command expected'));
    assert.equal(await revisions.read('web-1', { revision: 'abc1234' }), 'abc1234');
    assert.equal(await revisions.read('web-1', {}), null);
    await assert.rejects(revisions.read('web-1', { revision: 'not a rev' }), /web-1.*hosts\.json/);
  });

  it('runs the command once for concurrent reads and caches the answer for the TTL', async () => {
    let now = 1000;
    const runs: string[] = [];
    const revisions = new DeployedRevisions(
      async (host, command) => {
        runs.push(`${host}: ${command}`);
        return ok(`rev${runs.length}\n`);
      },
      60_000,
      () => now,
    );
    const source = { revisionCommand: 'cat /srv/app/REVISION' };
    assert.deepEqual(await Promise.all([revisions.read('web-1', source), revisions.read('web-1', source)]), ['rev1', 'rev1']);
    now += 59_000;
    assert.equal(await revisions.read('web-1', source), 'rev1');
    assert.equal(await revisions.read('web-2', source), 'rev2');
    now += 2_000;
    assert.equal(await revisions.read('web-1', source), 'rev3');
    revisions.forget('web-1');
    assert.equal(await revisions.read('web-1', source), 'rev4');
    assert.equal(runs.length, 4);
  });

  it('fails with errors that name the host and the command, and does not cache failures', async () => {
    let answer = { exitCode: 1, stdout: '', stderr: 'cat: /srv/app/REVISION: No such file or directory\n' };
    const revisions = new DeployedRevisions(async () => answer);
    const source = { revisionCommand: 'cat /srv/app/REVISION' };
    await assert.rejects(revisions.read('web-1', source), (error: Error) => {
      assert.ok(error instanceof DeployedRevisionError);
      assert.match(error.message, /web-1.*cat \/srv\/app\/REVISION.*No such file.*revisionCommand/);
      return true;
    });
    answer = ok('total 0\ndrwxr-xr-x 2 root root');
    await assert.rejects(revisions.read('web-1', source), /printed "total 0", which is not a git revision/);
    answer = ok('deadbeef\n');
    assert.equal(await revisions.read('web-1', source), 'deadbeef');
    const unreachable = new DeployedRevisions(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    await assert.rejects(unreachable.read('db-1', source), /Could not read the deployed revision of db-1.*ECONNREFUSED/);
  });
});

describe('describeDistance', () => {
  it('says how far the deployment is from HEAD', () => {
    assert.equal(describeDistance({ ahead: 3, behind: 0 }), '3 commits behind HEAD');
    assert.equal(describeDistance({ ahead: 1, behind: 0 }), '1 commit behind HEAD');
    assert.equal(describeDistance({ ahead: 0, behind: 2 }), '2 commits ahead of HEAD');
    assert.equal(describeDistance({ ahead: 2, behind: 1 }), '2 behind and 1 ahead of HEAD');
  });
});

describe('planRevision', () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ff-deployed-'));
  let git: (...args: string[]) => string;
  const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);
  let deployed = '';
  let head = '';

  before(() => {
    git = initGitRepo(repo);
    writeFileSync(path.join(repo, 'app.py'), numbered(10).join('\n') + '\n');
    writeFileSync(path.join(repo, 'gone.py'), 'x = 1\n');
    git('add', '.');
    git('commit', '-q', '-m', 'deployed');
    deployed = git('rev-parse', 'HEAD');
    writeFileSync(path.join(repo, 'app.py'), ['import os', 'import sys', ...numbered(10)].join('\n') + '\n');
    git('commit', '-q', '-am', 'imports');
    git('rm', '-q', 'gone.py');
    git('commit', '-q', '-m', 'remove gone.py');
    head = git('rev-parse', 'HEAD');
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('reads the file at the deployed commit in "deployed" mode', async () => {
    const plan = await planRevision(path.join(repo, 'app.py'), 5, deployed.slice(0, 7), 'deployed');
    assert.equal(plan.kind, 'deployed');
    assert.deepEqual(plan.kind === 'deployed' && [plan.commit, plan.file, plan.line, plan.distance], [
      deployed,
      'app.py',
      5,
      { ahead: 2, behind: 0 },
    ]);
    assert.equal(describePlan(plan, 'web-1'), `Showing app.py at deployed ${deployed.slice(0, 7)} on web-1 (2 commits behind HEAD)`);
  });

  it('moves the line onto HEAD in "head" mode', async () => {
    const plan = await planRevision(path.join(repo, 'app.py'), 5, deployed, 'head');
    assert.equal(plan.kind, 'head');
    assert.deepEqual(plan.kind === 'head' && [plan.file, plan.line, plan.moved], ['app.py', 7, 'moved']);
    assert.equal(
      describePlan(plan, 'web-1'),
      `app.py:5 at deployed ${deployed.slice(0, 7)} on web-1 is line 7 at HEAD (2 commits behind HEAD)`,
    );
  });

  it('falls back to the deployed file when the file is gone at HEAD', async () => {
    const plan = await planRevision(path.join(repo, 'gone.py'), 1, deployed, 'head');
    assert.equal(plan.kind, 'deployed');
    assert.match(describePlan(plan, 'web-1') ?? '', /no longer exists at HEAD/);
  });

  it('has nothing to say at HEAD, outside git, and suggests a fetch for an unknown revision', async () => {
    assert.equal((await planRevision(path.join(repo, 'app.py'), 5, head, 'deployed')).kind, 'at-head');
    const outside = mkdtempSync(path.join(tmpdir(), 'ff-nogit-'));
    try {
      assert.equal((await planRevision(path.join(outside, 'x.py'), 1, deployed, 'deployed')).kind, 'no-repository');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    const unknown = await planRevision(path.join(repo, 'app.py'), 5, '0123456789abcdef0123456789abcdef01234567', 'deployed');
    assert.equal(unknown.kind, 'unknown-revision');
    assert.match(describePlan(unknown, 'web-1') ?? '', /web-1 runs revision 0123456789abcdef.*not in the local repository.*git fetch/);
  });
});
