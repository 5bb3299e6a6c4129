import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colourLine, detectLevel, highlightMatches, noticeLine, skippedMarker } from '../../../src/core/logs/ansi';

test('levels are recognised in the usual spellings', () => {
  assert.equal(detectLevel('2024-05-01 12:00:00 ERROR payment failed'), 'error');
  assert.equal(detectLevel('[warning] disk at 91%'), 'warn');
  assert.equal(detectLevel('ts=1 level=info msg=ok'), 'info');
  assert.equal(detectLevel('DEBUG cache miss'), 'debug');
  assert.equal(detectLevel('Traceback (most recent call last):'), 'error');
  assert.equal(detectLevel('GET /health 200'), undefined);
  assert.equal(detectLevel('terrorist'), undefined);
});

test('a line is coloured by level and matches are highlighted inside it', () => {
  assert.equal(colourLine('ERROR boom'), '\x1b[31mERROR boom\x1b[0m');
  assert.equal(colourLine('plain line'), 'plain line');
  assert.equal(colourLine('ERROR \x1b[2Jwiped'), '\x1b[31mERROR \u241b[2Jwiped\x1b[0m');
  assert.equal(colourLine('WARN slow query', { highlight: /slow/g }), '\x1b[33mWARN \x1b[1;7mslow\x1b[22;27m query\x1b[0m');
  assert.equal(highlightMatches('a-b-a', /a/g), '\x1b[1;7ma\x1b[22;27m-b-\x1b[1;7ma\x1b[22;27m');
});

test('markers say what happened, dimmed or plain', () => {
  assert.equal(skippedMarker(12345, { colour: false }), '⋯ 12,345 lines skipped (kept in the buffer) ⋯');
  assert.equal(skippedMarker(1, { colour: true }), '\x1b[2;3m⋯ 1 line skipped (kept in the buffer) ⋯\x1b[0m');
  assert.equal(noticeLine('log rotated', { colour: false }), '— log rotated —');
});
