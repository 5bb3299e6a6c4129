import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { shellWord } from '../../../src/core/util/shell';

test('shellWord gives sh one word back unchanged, whatever it holds', () => {
  for (const word of ['', 'plain', "it's", "''", 'a b\tc\nd', '$HOME `id` $(id) * ? [a] ~/x', '\\', '-n']) {
    const out = execFileSync('sh', ['-c', `printf '%s' ${shellWord(word)}`]).toString();
    assert.equal(out, word, JSON.stringify(word));
  }
});
