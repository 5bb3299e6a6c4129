import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineAssembler, makeVisible } from '../../../src/core/logs/lines';

function split(chunks: (string | Buffer)[], cap = 64 * 1024): { lines: string[]; assembler: LineAssembler } {
  const assembler = new LineAssembler(cap);
  const lines: string[] = [];
  for (const chunk of chunks) assembler.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk), lines);
  return { lines, assembler };
}

test('lines split across chunks are joined; offsets point after the last complete line', () => {
  const { lines, assembler } = split(['one\ntw', 'o\nthr', 'ee']);
  assert.deepEqual(lines, ['one', 'two']);
  assert.equal(assembler.committed, 8);
  assert.equal(assembler.received, 13);
});

test('a UTF-8 character split across chunks decodes whole', () => {
  const euro = Buffer.from('€\n'); // e2 82 ac 0a
  assert.deepEqual(split([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)]).lines, ['€']);
});

test('a cut line ends on a character boundary and says how much is missing', () => {
  const { lines } = split([`${'ü'.repeat(10)}\n`], 5); // 20 bytes, cap 5: two characters fit
  assert.deepEqual(lines, ['üü … [line cut: 16 more bytes]']);
});

test('control characters become visible, colour codes are dropped, tabs stay', () => {
  assert.equal(makeVisible('a\tb\x1b[1;31mERROR\x1b[0m\x08\x7f\x9b[2J'), 'a\tbERROR\u2408\u2421\ufffd[2J');
  assert.equal(makeVisible('plain'), 'plain');
  assert.equal(makeVisible('crlf\r'), 'crlf');
  assert.equal(makeVisible('\x1b]8;;http://x\x07link'), '\u241b]8;;http://x\u2407link');
});
