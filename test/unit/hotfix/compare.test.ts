// Drift rules: modified, added, missing, unchecked, ignored; and `git ls-tree -z` parsing against a real repository.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { compareFiles, makeIgnoreMatcher, parseLsTree } from '../../../src/core/hotfix/compare';
import { initGitRepo } from '../../support/gitRepo';
import { tempDir } from '../../support/tempDir';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

test('compareFiles lists modified, added, missing and unchecked files by path, nothing for equal ones', () => {
  const host = [
    { path: 'same.py', blob: A, bytes: 1 },
    { path: 'changed.py', blob: B, bytes: 2 },
    { path: 'new.py', blob: C, bytes: 3 },
    { path: 'huge.bin', blob: null, bytes: 99 },
  ];
  const repo = [
    { path: 'same.py', blob: A },
    { path: 'changed.py', blob: A },
    { path: 'gone.py', blob: B },
    { path: 'huge.bin', blob: C },
  ];
  assert.deepEqual(compareFiles(host, repo, []), [
    { path: 'changed.py', kind: 'modified', hostBlob: B, repoBlob: A, hostBytes: 2 },
    { path: 'gone.py', kind: 'missing', hostBlob: null, repoBlob: B, hostBytes: null },
    { path: 'huge.bin', kind: 'unchecked', hostBlob: null, repoBlob: C, hostBytes: 99 },
    { path: 'new.py', kind: 'added', hostBlob: C, repoBlob: null, hostBytes: 3 },
  ]);
});

test('ignored patterns match any path component, on both sides', () => {
  const ignored = makeIgnoreMatcher(['*.pyc', '__pycache__', '.git']);
  assert.equal(ignored('app/__pycache__/x.py'), true);
  assert.equal(ignored('app/mod.pyc'), true);
  assert.equal(ignored('.git/HEAD'), true);
  assert.equal(ignored('app/mod.py'), false);
  assert.equal(ignored('app/mod.pyc.txt'), false);
  assert.equal(ignored('.github/ci.yml'), false);
  const changes = compareFiles(
    [{ path: 'a/b.pyc', blob: A, bytes: 1 }],
    [{ path: 'tracked/__pycache__/c.py', blob: B }],
    ['*.pyc', '__pycache__'],
  );
  assert.deepEqual(changes, []);
});

test('parseLsTree reads a real repository: files and executables, not symlinks; odd names intact', (t) => {
  const dir = tempDir(t, 'lstree-');
  const git = initGitRepo(dir);
  mkdirSync(path.join(dir, 'bin'));
  writeFileSync(path.join(dir, 'bin', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(path.join(dir, 'tab\tname.txt'), 'x\n');
  symlinkSync('bin/run.sh', path.join(dir, 'link'));
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  const files = parseLsTree(execFileSync('git', ['-C', dir, 'ls-tree', '-r', '-z', 'HEAD'], { encoding: 'utf8' }));
  assert.deepEqual(files.map((file) => file.path).sort(), ['bin/run.sh', 'tab\tname.txt']);
  assert.equal(files.find((file) => file.path === 'bin/run.sh')?.blob, git('rev-parse', 'HEAD:bin/run.sh'));
});
