// *stopped records (from the recorded gdb session and gdb's other reasons) as DebugRuntime stops.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { miString, parseMiLine } from '../../../../src/core/debug/gdb/miParser';
import type { MiAsyncRecord } from '../../../../src/core/debug/gdb/miSession';
import { shown, stopOf } from '../../../../src/core/debug/gdb/stops';

const recorded = readFileSync(join(__dirname, '../../../fixtures/debug/gdb/mi-session.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('*stopped,reason='))
  .map((line) => parseMiLine(line) as MiAsyncRecord);

function stop(line: string) {
  const record = parseMiLine(line) as MiAsyncRecord;
  return stopOf(record, miString(record.results.reason)!, miString(record.results['signal-name']));
}

test('a breakpoint hit and an interrupt, as gdb reported them', () => {
  const [hit, interrupt] = recorded.map((record) =>
    stopOf(record, miString(record.results.reason)!, miString(record.results['signal-name'])),
  );
  assert.deepEqual(hit, { reason: 'breakpoint', threadId: 3, allThreadsStopped: true, hitBreakpointIds: [1] });
  assert.equal(interrupt!.reason, 'pause');
  assert.equal(interrupt!.allThreadsStopped, true);
});

test('steps, other signals and unknown reasons', () => {
  assert.equal(stop('*stopped,reason="end-stepping-range",thread-id="2"').reason, 'step');
  assert.equal(stop('*stopped,reason="function-finished",thread-id="2"').reason, 'step');
  assert.deepEqual(stop('*stopped,reason="signal-received",signal-name="SIGSEGV",signal-meaning="Segmentation fault",thread-id="4"'), {
    reason: 'signal',
    threadId: 4,
    allThreadsStopped: true,
    text: 'SIGSEGV: Segmentation fault',
  });
  assert.deepEqual(stop('*stopped,reason="solib-event"'), {
    reason: 'pause',
    threadId: undefined,
    allThreadsStopped: true,
    text: 'solib-event',
  });
});

test('text for the debug console keeps newlines and tabs, drops terminal control', () => {
  assert.equal(shown('\x1b[31mred\x1b[0m\tok\n\x07'), 'red\tok\n');
});
