// The host-side checksum script run by a real sh over real files, against git's own blob ids.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checksumScript, NO_DEPLOY_DIR_EXIT, parseChecksums } from '../../../src/core/hotfix/checksums';
import { LocalRunner } from '../../support/localRunner';
import { tempDir } from '../../support/tempDir';

const hashObject = (file: string) => execFileSync('git', ['hash-object', '--no-filters', file], { encoding: 'utf8' }).trim();

for (const python of [true, false]) {
  const lister = python ? 'python3' : 'sh';

  test(`${lister}: every file gets the blob id git hash-object gives it, odd names included, in one command`, async (t) => {
    const dir = tempDir(t, 'checksums-');
    mkdirSync(path.join(dir, 'app', 'sub dir'), { recursive: true });
    const files: Record<string, string | Buffer> = {
      'app/views.py': 'def handle():\n    return 1\n',
      'app/sub dir/with space.txt': 'spaces\n',
      "app/it's\nnewline.txt": 'quote and newline\n',
      empty: '',
      'binary.bin': Buffer.from([0, 1, 2, 255, 0, 10, 13]),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    const runner = new LocalRunner();
    const result = await runner.exec('sh -s', { stdin: checksumScript(dir, [], undefined, { python }) });
    assert.equal(result.exitCode, 0, result.stderr);
    const listing = parseChecksums(result.stdout);
    assert.equal(listing.truncated, false);
    assert.equal(runner.commands.length, 1);
    const byPath = new Map(listing.files.map((file) => [file.path, file]));
    assert.deepEqual([...byPath.keys()].sort(), Object.keys(files).sort());
    for (const name of Object.keys(files)) {
      assert.equal(byPath.get(name)?.blob, hashObject(path.join(dir, name)), name);
      assert.equal(byPath.get(name)?.bytes, Buffer.byteLength(files[name]), name);
    }
  });

  test(`${lister}: ignored names are pruned on the host; a file over the size bound is listed without a hash`, async (t) => {
    const dir = tempDir(t, 'checksums-');
    mkdirSync(path.join(dir, '__pycache__'));
    mkdirSync(path.join(dir, 'pkg'));
    writeFileSync(path.join(dir, '__pycache__', 'x.cpython-311.pyc'), 'compiled');
    writeFileSync(path.join(dir, 'pkg', 'mod.pyc'), 'compiled');
    writeFileSync(path.join(dir, 'pkg', 'mod.py'), 'x = 1\n');
    writeFileSync(path.join(dir, 'big.log'), 'x'.repeat(2000));
    const result = await new LocalRunner().exec('sh -s', {
      stdin: checksumScript(dir, ['__pycache__', '*.pyc'], { maxFileBytes: 1000, maxOutputBytes: 1 << 20 }, { python }),
    });
    const files = parseChecksums(result.stdout).files.sort((a, b) => a.path.localeCompare(b.path));
    assert.deepEqual(files, [
      { path: 'big.log', blob: null, bytes: 2000 },
      { path: 'pkg/mod.py', blob: hashObject(path.join(dir, 'pkg', 'mod.py')), bytes: 6 },
    ]);
  });

  test(`${lister}: output past its byte bound is marked truncated and the cut record dropped`, async (t) => {
    const dir = tempDir(t, 'checksums-');
    for (let i = 0; i < 20; i++) writeFileSync(path.join(dir, `file-${i}.txt`), `${i}\n`);
    const result = await new LocalRunner().exec('sh -s', {
      stdin: checksumScript(dir, [], { maxFileBytes: 1000, maxOutputBytes: 300 }, { python }),
    });
    assert.ok(Buffer.byteLength(result.stdout) <= 300);
    const listing = parseChecksums(result.stdout);
    assert.equal(listing.truncated, true);
    assert.ok(listing.files.length > 0 && listing.files.length < 20, String(listing.files.length));
    for (const file of listing.files) assert.match(file.path, /^file-\d+\.txt$/);
  });
}

test('a missing deploy directory exits with its own status', async () => {
  const result = await new LocalRunner().exec('sh -s', { stdin: checksumScript('/nonexistent/deploy dir', []) });
  assert.equal(result.exitCode, NO_DEPLOY_DIR_EXIT);
  assert.match(result.stderr, /cannot enter the deploy directory/);
});

test('parseChecksums rejects a line that is not a record', () => {
  assert.throws(() => parseChecksums('hello\0#end\0'), /unexpected line in the host's file list: "hello"/);
  assert.deepEqual(parseChecksums(''), { files: [], truncated: true });
});
