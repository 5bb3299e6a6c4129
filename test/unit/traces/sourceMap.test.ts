import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeVlqSegment, SourceMap } from '../../../src/core/traces';

function decode(segment: string): number[] {
  const out: number[] = [];
  decodeVlqSegment(segment, out);
  return out;
}

describe('VLQ decoding', () => {
  it('decodes single and multi-character values with their signs', () => {
    assert.deepEqual(decode('AAAA'), [0, 0, 0, 0]);
    assert.deepEqual(decode('AAgBC'), [0, 0, 16, 1]);
    assert.deepEqual(decode('D'), [-1]);
    assert.deepEqual(decode('2H'), [123]);
    assert.deepEqual(decode('3H'), [-123]);
    assert.deepEqual(decode('gqjG'), [100000]);
  });

  it('rejects characters outside base64 and values cut off mid-way', () => {
    assert.throws(() => decode('A!'), /invalid base64 VLQ character/);
    assert.throws(() => decode('g'), /cut off/);
  });
});

describe('source map lookup', () => {
  // Generated line 1: column 0 → a.ts 1:0, column 10 → a.ts 3:4; line 2: column 2 → b.ts 10:0
  const map = SourceMap.parse(JSON.stringify({ version: 3, sources: ['a.ts', 'b.ts'], mappings: 'AAAA,UAEI;ECOJ', names: [] }));

  it('finds the segment at or before a column, 1-based in and out', () => {
    assert.deepEqual(map.originalPositionFor(1, 1), { source: 'a.ts', line: 1, column: 1 });
    assert.deepEqual(map.originalPositionFor(1, 11), { source: 'a.ts', line: 3, column: 5 });
    assert.deepEqual(map.originalPositionFor(1, 40), { source: 'a.ts', line: 3, column: 5 });
    assert.deepEqual(map.originalPositionFor(2, 3), { source: 'b.ts', line: 10, column: 1 });
  });

  it('returns null for lines the map does not cover', () => {
    assert.equal(map.originalPositionFor(9, 1), null);
  });

  it('refuses files that are not version 3 maps', () => {
    assert.throws(() => SourceMap.parse('{"version":2}'), /not a version 3 source map/);
  });
});
