import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  commitsBetween,
  moveLineThroughHunks,
  moveLineToRevision,
  parseHunks,
  readFileAtRevision,
  resolveRevision,
} from '../../../src/core/traces';
import { initGitRepo } from '../../support/gitRepo';

describe('deployed revision', () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ff-revision-'));
  let deployed = '';
  let git: (...args: string[]) => string;
  const lines = (n: number, label = 'line') => Array.from({ length: n }, (_, i) => `${label} ${i + 1}`);

  before(() => {
    git = initGitRepo(repo);
    writeFileSync(path.join(repo, 'app.py'), lines(20).join('\n') + '\n');
    writeFileSync(path.join(repo, 'old_name.py'), lines(10, 'util').join('\n') + '\n');
    git('add', '.');
    git('commit', '-q', '-m', 'deployed');
    deployed = git('rev-parse', 'HEAD');
    // After the deploy: 3 lines inserted at the top, line 10 edited, lines 15-16 deleted.
    const next = lines(20);
    next[9] = 'line 10 fixed';
    next.splice(14, 2);
    writeFileSync(path.join(repo, 'app.py'), ['import a', 'import b', 'import c', ...next].join('\n') + '\n');
    git('commit', '-q', '-am', 'hotfix');
    // A rename with an insertion at its top.
    git('mv', 'old_name.py', 'new_name.py');
    writeFileSync(path.join(repo, 'new_name.py'), ['# header', ...lines(10, 'util')].join('\n') + '\n');
    git('add', '.');
    git('commit', '-q', '-m', 'rename');
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('moves a line of the deployed revision onto HEAD through the hunks', async () => {
    assert.deepEqual(await moveLineToRevision(repo, 'app.py', 5, deployed), { kind: 'moved', line: 8, file: 'app.py' });
    assert.deepEqual(await moveLineToRevision(repo, 'app.py', 18, deployed), { kind: 'moved', line: 19, file: 'app.py' });
  });

  it('says when the line itself was edited or deleted since the deploy', async () => {
    assert.deepEqual(await moveLineToRevision(repo, 'app.py', 10, deployed), { kind: 'changed', line: 13, file: 'app.py' });
    const deleted = await moveLineToRevision(repo, 'app.py', 15, deployed);
    assert.equal(deleted.kind, 'changed');
    assert.equal(deleted.line, 17);
  });

  it('follows a renamed file', async () => {
    assert.deepEqual(await moveLineToRevision(repo, 'old_name.py', 4, deployed), { kind: 'moved', line: 5, file: 'new_name.py' });
  });

  it('reads the file as it was deployed, and counts the commits in between', async () => {
    const content = await readFileAtRevision(repo, deployed, 'app.py');
    assert.equal(content.split('\n')[9], 'line 10');
    assert.deepEqual(await commitsBetween(repo, deployed), { ahead: 2, behind: 0 });
  });

  it('tells the user to fetch when the deployed revision is unknown locally', async () => {
    assert.equal(await resolveRevision(repo, '0123456789abcdef0123456789abcdef01234567'), null);
    await assert.rejects(
      readFileAtRevision(repo, '0123456789abcdef0123456789abcdef01234567', 'app.py'),
      /not in the repository .*git fetch/,
    );
  });

  it('handles insertions, deletions and edits in hunk arithmetic', () => {
    const hunks = parseHunks('@@ -0,0 +1,2 @@\n+a\n+b\n@@ -5 +7 @@\n-x\n+y\n@@ -9,2 +10,0 @@\n-p\n-q\n');
    assert.deepEqual(hunks[1], { oldStart: 5, oldCount: 1, newStart: 7, newCount: 1 });
    assert.deepEqual(moveLineThroughHunks(hunks, 1), { kind: 'moved', line: 3 });
    assert.deepEqual(moveLineThroughHunks(hunks, 5), { kind: 'changed', line: 7 });
    assert.deepEqual(moveLineThroughHunks(hunks, 12), { kind: 'moved', line: 12 });
    assert.deepEqual(moveLineThroughHunks([], 4), { kind: 'unchanged', line: 4 });
  });
});
