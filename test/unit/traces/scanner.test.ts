import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { findStackTraces, TraceScanner } from '../../../src/core/traces';

const FIXTURES = path.join(__dirname, '../../fixtures/traces');

describe('streaming scanner', () => {
  const log = readdirSync(FIXTURES)
    .sort()
    .filter((name) => /\.(?:txt|log)$/.test(name))
    .map((name) => `log line before ${name}\n` + readFileSync(path.join(FIXTURES, name), 'utf8'))
    .join('request ok\n');
  const whole = findStackTraces(log);

  it('finds the same traces, with the same spans, whatever the chunk size', () => {
    assert.ok(whole.length >= 19);
    for (const size of [1, 7, 64, 1000]) {
      const scanner = new TraceScanner();
      const found = [];
      for (let i = 0; i < log.length; i += size) found.push(...scanner.push(log.slice(i, i + size)));
      found.push(...scanner.end());
      assert.deepEqual(found, whole, `chunk size ${size}`);
    }
  });

  it('reports a trace as soon as the line after it arrives, without waiting for the end', () => {
    const scanner = new TraceScanner();
    assert.deepEqual(scanner.push('Traceback (most recent call last):\n  File "/a.py", line 1, in f\n'), []);
    const found = scanner.push('ValueError: x\nnext request\n');
    assert.equal(found.length, 1);
    assert.equal(found[0].exceptions[0].type, 'ValueError');
  });

  it('keeps memory bounded on input without newlines, and still finds the traces after it, at the right offsets', () => {
    const scanner = new TraceScanner();
    const trace = 'Traceback (most recent call last):\n  File "/srv/app.py", line 3, in f\nValueError: x\n';
    const before = `${trace}junk `;
    const megabyte = 'x'.repeat(1024 * 1024);
    const found = scanner.push(before);
    for (let i = 0; i < 24; i++) found.push(...scanner.push(megabyte));
    const held = scanner as unknown as { buffer: string; partialLength: number };
    const buffered = held.buffer.length + held.partialLength;
    assert.ok(buffered <= 9 * 1024 * 1024, `${buffered} characters held`);
    found.push(...scanner.push(`\n${trace}`), ...scanner.end());
    assert.equal(found.length, 2);
    const secondStart = before.length + 24 * megabyte.length + 1;
    assert.equal(found[0].span.start, 0);
    assert.equal(found[1].span.start, secondStart);
    assert.equal(found[1].exceptions[0].frames[0].file, '/srv/app.py');
  });

  it('reads a trace of 30,000 frames arriving in 64 KB pieces as one trace, as from one piece', () => {
    const lines = ['Error: deep recursion'];
    for (let i = 0; i < 30_000; i++) lines.push(`    at step${i % 7} (/srv/app/dist/walk.js:${(i % 900) + 1}:9)`);
    const text = `request 1\n${lines.join('\n')}\nrequest 2\n`;
    const scanner = new TraceScanner();
    const found = [];
    for (let i = 0; i < text.length; i += 65536) found.push(...scanner.push(text.slice(i, i + 65536)));
    found.push(...scanner.end());
    assert.equal(found.length, 1);
    assert.equal(found[0].exceptions[0].frames.length, 30_000);
    assert.deepEqual(found, findStackTraces(text));
  });

  it('drops a 20 MB line arriving in pieces and finds the trace after it at its offset', () => {
    const scanner = new TraceScanner();
    const piece = '    at f (/a.js:1:2) '.repeat(3000);
    const found = [];
    let offset = 0;
    while (offset < 20 * 1024 * 1024) {
      found.push(...scanner.push(piece));
      offset += piece.length;
    }
    const trace = 'TypeError: x\n    at g (/srv/app/b.js:3:4)\n';
    found.push(...scanner.push(`\n${trace}`), ...scanner.end());
    assert.equal(found.length, 1);
    assert.equal(found[0].span.start, offset + 1);
    assert.equal(found[0].exceptions[0].frames[0].file, '/srv/app/b.js');
  });
});
