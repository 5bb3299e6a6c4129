import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandSummary } from '../../../src/core/ssh/commandSummary';

test('a script is shown on one line with its white space folded', () => {
  assert.equal(
    commandSummary('LC_ALL=C; export LC_ALL\nif [ -r /proc/stat ]; then\n  cat /proc/stat\nfi\n'),
    'LC_ALL=C; export LC_ALL if [ -r /proc/stat ]; then cat /proc/stat fi',
  );
});

test('a long command is cut with an ellipsis at the cap', () => {
  const summary = commandSummary(`tail -f ${'x'.repeat(500)}`, 40);
  assert.equal(summary.length, 40);
  assert.ok(summary.endsWith('…'));
  assert.equal(commandSummary('uptime', 40), 'uptime');
});
