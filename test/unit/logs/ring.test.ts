import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineRing } from '../../../src/core/logs/ring';

test('the ring keeps the newest lines within its line cap', () => {
  const ring = new LineRing({ maxLines: 3 });
  for (let i = 1; i <= 5; i++) ring.push(`line ${i}`);
  assert.deepEqual(ring.lines(), ['line 3', 'line 4', 'line 5']);
  assert.deepEqual(ring.lines(2), ['line 4', 'line 5']);
  assert.equal(ring.evicted, 2);
  ring.push('bell\x07');
  assert.deepEqual(ring.lines(1), ['bell\u2407']);
});

test('the ring keeps within its byte cap (2 bytes per UTF-16 unit)', () => {
  const ring = new LineRing({ maxLines: 100, maxBytes: 40 });
  for (const line of ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc']) ring.push(line); // 20 bytes each
  assert.deepEqual(ring.lines(), ['bbbbbbbbbb', 'cccccccccc']);
  assert.equal(ring.bytes, 40);
  ring.clear();
  assert.equal(ring.size, 0);
  assert.deepEqual(ring.lines(), []);
});
