// Drift over a real OpenSSH host (harness sshd, logins as root): the deploy directory is a copy of
// a real git repository at the deployed revision with one file modified, one added and one
// deleted on the box; drift lists exactly those, through the core and through `firefighter drift`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { startHotfix } from '../../../src/core/hotfix/branch';
import { bringIntoWorkTree, readDrift, readHostFile } from '../../../src/core/hotfix/drift';
import type { SshPool } from '../../../src/core/ssh/pool';
import { makeTempDir, startSandboxHost, type SandboxHost } from '../../harness';
import { captureIo } from '../../support/cliIo';
import { initGitRepo } from '../../support/gitRepo';
import { poolFor, onCommandEnded } from '../ssh/support';

const HOST = 'web-1';

describe('drift of a deployed host', () => {
  let sandbox: SandboxHost;
  let pool: SshPool;
  const repo = makeTempDir('drift-repo');
  const deployDir = makeTempDir('drift-deploy');
  const hostsJson = path.join(makeTempDir('drift-hosts'), 'hosts.json');
  let git: (...args: string[]) => string;
  let deployed = '';
  const host = () => ({ name: HOST, deployDir, revisionCommand: `cat ${deployDir}/REVISION` });

  before(async () => {
    git = initGitRepo(repo);
    mkdirSync(path.join(repo, 'app'));
    writeFileSync(path.join(repo, 'app', 'views.py'), 'def handle(request):\n    return total / user.items\n');
    writeFileSync(path.join(repo, 'app', 'models.py'), 'class User:\n    items = 0\n');
    writeFileSync(path.join(repo, 'app', 'old_helpers.py'), 'def unused():\n    pass\n');
    writeFileSync(path.join(repo, 'REVISION'), 'filled in by the deploy\n');
    git('add', '.');
    git('commit', '-q', '-m', 'release 1');
    deployed = git('rev-parse', 'HEAD');
    // The deploy: the tree at the deployed commit, as a release directory.
    execFileSync('sh', ['-c', `git -C '${repo}' archive ${deployed} | tar -x -C '${deployDir}'`]);
    writeFileSync(path.join(deployDir, 'REVISION'), `${deployed}\n`);
    // Work goes on in the repository after the deploy (not drift: the comparison is at the deployed revision).
    writeFileSync(path.join(repo, 'app', 'models.py'), 'class User:\n    items = 1\n');
    git('commit', '-q', '-am', 'after the deploy');
    // Someone fixes production by hand: one edit, one new file, one deletion, plus bytecode to ignore.
    writeFileSync(path.join(deployDir, 'app', 'views.py'), 'def handle(request):\n    return total / max(1, user.items)\n');
    writeFileSync(path.join(deployDir, 'app', 'hotpatch.py'), 'PATCHED = True\n');
    rmSync(path.join(deployDir, 'app', 'old_helpers.py'));
    mkdirSync(path.join(deployDir, 'app', '__pycache__'));
    writeFileSync(path.join(deployDir, 'app', '__pycache__', 'views.cpython-311.pyc'), 'bytecode');
    writeFileSync(hostsJson, JSON.stringify({ hosts: [{ name: HOST, deployDir, revisionCommand: `cat ${deployDir}/REVISION` }] }));

    sandbox = await startSandboxHost({ name: HOST });
    pool = poolFor(sandbox.configFile);
  });

  after(async () => {
    pool?.dispose();
    await sandbox?.stop();
  });

  test('lists exactly the modified, added and deleted files, from one listing command on the host', async () => {
    const commands: string[] = [];
    const listener = onCommandEnded(pool, (record) => commands.push(record.command));
    try {
      const report = await readDrift({ repo, runner: pool.runner(HOST), host: host() });
      assert.deepEqual(
        report.changes.map((change) => [change.kind, change.path]),
        [
          ['added', 'app/hotpatch.py'],
          ['missing', 'app/old_helpers.py'],
          ['modified', 'app/views.py'],
          // REVISION is written by the deploy and differs from the committed placeholder.
          ['modified', 'REVISION'],
        ].sort((a, b) => (a[1] < b[1] ? -1 : 1)),
      );
      assert.equal(report.commit, deployed);
      assert.equal(report.truncated, false);
      const views = report.changes.find((change) => change.path === 'app/views.py');
      assert.equal(views?.repoBlob, git('rev-parse', `${deployed}:app/views.py`));
      assert.equal(
        views?.hostBlob,
        execFileSync('git', ['hash-object', path.join(deployDir, 'app', 'views.py')], { encoding: 'utf8' }).trim(),
      );
      // The revision command, then one listing.
      assert.deepEqual(commands, [`cat ${deployDir}/REVISION`, 'sh -s']);
    } finally {
      listener.dispose();
    }
  });

  test('a deploy directory that is not there names the host and the field to fix', async () => {
    await assert.rejects(
      readDrift({ repo, runner: pool.runner(HOST), host: { ...host(), deployDir: `${deployDir}/nope` }, revision: deployed }),
      /web-1 has no directory .*nope.*Check "deployDir" for web-1 in \.vscode\/hosts\.json/,
    );
  });

  test('firefighter drift --json prints the report; text lists each change', async () => {
    const run = async (args: string[]) => {
      const io = captureIo({ env: { ...process.env, SSH_AUTH_SOCK: '' } });
      const code = await runCli(['-F', sandbox.configFile, '--hosts', hostsJson, 'drift', HOST, '--repo', repo, ...args], io);
      return { code, stdout: io.out(), stderr: io.err() };
    };
    const json = await run(['--json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(report).sort(), [
      'changes',
      'commit',
      'deployDir',
      'host',
      'hostFiles',
      'ignore',
      'revision',
      'truncated',
    ]);
    assert.deepEqual([report.host, report.deployDir, report.revision, report.commit], [HOST, deployDir, deployed, deployed]);
    assert.deepEqual(
      report.changes.map((change: { kind: string; path: string }) => `${change.kind} ${change.path}`),
      ['modified REVISION', 'added app/hotpatch.py', 'missing app/old_helpers.py', 'modified app/views.py'],
    );
    assert.deepEqual(Object.keys(report.changes[0]).sort(), ['hostBlob', 'hostBytes', 'kind', 'path', 'repoBlob']);
    const ignored = await run(['--ignore', 'REVISION']);
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.match(
      ignored.stdout,
      new RegExp(`^web-1 ${deployDir} at ${deployed.slice(0, 7)} \\(${deployed}\\): 3 files differ from the repository`),
    );
    assert.match(ignored.stdout, /^ {2}added {5}app\/hotpatch\.py$/m);
    assert.match(ignored.stdout, /^ {2}missing {3}app\/old_helpers\.py$/m);
    assert.match(ignored.stdout, /^ {2}modified {2}app\/views\.py$/m);
    assert.equal(ignored.stdout.split('\n').filter((line) => line.startsWith('  ')).length, 3);
    assert.match(ignored.stdout, /^ignored: \.git \*\.pyc __pycache__ REVISION$/m);
    const usage = await run(['extra']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: firefighter drift HOST/);
  });

  test('the host copy comes back byte for byte and is brought into the hotfix branch', async () => {
    const started = await startHotfix({ repo, incident: 'drift-1', revision: deployed, host: HOST });
    assert.equal(git('rev-parse', 'HEAD'), deployed);
    const runner = pool.runner(HOST);
    const content = await readHostFile(runner, host(), 'app/views.py');
    assert.deepEqual(content, readFileSync(path.join(deployDir, 'app', 'views.py')));
    await bringIntoWorkTree(repo, { path: 'app/views.py', kind: 'modified' }, content);
    await bringIntoWorkTree(repo, { path: 'app/hotpatch.py', kind: 'added' }, await readHostFile(runner, host(), 'app/hotpatch.py'));
    await bringIntoWorkTree(repo, { path: 'app/old_helpers.py', kind: 'missing' }, null);
    git('add', '-A');
    git('commit', '-q', '-m', 'bring the host fixes into the repository');
    // The branch now holds what the box runs: only the deploy's REVISION file still differs.
    const after = await readDrift({ repo, runner, host: host(), revision: started.branch });
    assert.deepEqual(
      after.changes.map((change) => change.path),
      ['REVISION'],
    );
    await assert.rejects(readHostFile(runner, host(), '../etc/passwd'), /Refusing the path/);
  });
});
