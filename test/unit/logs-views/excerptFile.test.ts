import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { saveExcerptFile, writeNewExcerptFile } from '../../../src/views/logs/excerptFile';
import { tempDir } from '../../support/tempDir';
import { recordEvents } from '../logs/recordEvents';

test('an excerpt never replaces a file: saves racing for one name each get their own', async (t) => {
  const root = tempDir(t, 'ff-excerpt-');
  const dir = join(root, 'incidents', 'evidence');
  const base = 'web-1-app-20240501-031522';
  const first = await writeNewExcerptFile(dir, base, 'kept\n');
  assert.equal(first, join(dir, `${base}.log`));
  // Started together, both find web-1-…-2.log free; only one may have it.
  const racing = await Promise.all(['one\n', 'two\n', 'three\n'].map((text) => writeNewExcerptFile(dir, base, text)));
  // Which save wins which name depends on timing; each must get its own, holding its own text.
  assert.deepEqual(
    [...racing].sort(),
    [2, 3, 4].map((n) => join(dir, `${base}-${n}.log`)),
  );
  assert.deepEqual(
    racing.map((path) => readFileSync(path, 'utf8')),
    ['one\n', 'two\n', 'three\n'],
  );
  assert.equal(readFileSync(first, 'utf8'), 'kept\n');
  assert.equal(readdirSync(dir).length, 4);
});

test('a file already there is kept and the excerpt takes the next name', async (t) => {
  const dir = tempDir(t, 'ff-excerpt-');
  writeFileSync(join(dir, 'x.log'), 'theirs');
  assert.equal(await writeNewExcerptFile(dir, 'x', 'ours'), join(dir, 'x-2.log'));
  assert.equal(readFileSync(join(dir, 'x.log'), 'utf8'), 'theirs');
});

test('saving an excerpt publishes log.excerptSaved with its host, log, file and line count', async (t) => {
  const dir = tempDir(t, 'ff-excerpt-');
  const { published, events } = recordEvents();
  const path = await saveExcerptFile(
    dir,
    { host: 'web-1', file: '/var/log/app.log' },
    ['one', 'two'],
    events,
    new Date(2024, 4, 1, 3, 15, 22),
  );
  assert.equal(readFileSync(path, 'utf8'), 'one\ntwo\n');
  assert.deepEqual(published, [
    { name: 'log.excerptSaved', source: 'logs', host: 'web-1', path: '/var/log/app.log', file: path, lines: 2, lastLine: 'two' },
  ]);
});
