import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TerminalFeed, type FeedSource } from '../../../src/core/logs/feed';
import type { FollowerNotice } from '../../../src/core/logs/follower';
import { EventEmitter } from '../../../src/core/util/events';

function source(): FeedSource & { lines: EventEmitter<string[]>; notices: EventEmitter<FollowerNotice> } {
  const lines = new EventEmitter<string[]>();
  const notices = new EventEmitter<FollowerNotice>();
  return { lines, notices, onDidAppend: lines.event, onDidNotice: notices.event, filterRegExp: /b/g };
}

test('a burst larger than the terminal can take is shown as a skipped-lines marker and the newest lines', async () => {
  const writes: string[] = [];
  const feed = new TerminalFeed({ write: (t) => writes.push(t), colour: false, maxLinesPerFlush: 3, flushIntervalMs: 10 });
  const s = source();
  feed.add(s);
  s.lines.fire(['1', '2']);
  s.notices.fire({ kind: 'rotated', message: 'rotated' });
  s.lines.fire(['3', '4', '5']);
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(writes, ['⋯ 2 lines skipped (kept in the buffer) ⋯\r\n— rotated —\r\n3\r\n4\r\n5\r\n']);
  assert.equal(feed.skippedLines, 2);
  s.lines.fire(['6']);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(writes[1], '6\r\n');
  feed.dispose();
  s.lines.fire(['7']);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(writes.length, 2);
});

test("a merged terminal prefixes each follower's lines; colour highlights the filter", async () => {
  const writes: string[] = [];
  const feed = new TerminalFeed({ write: (t) => writes.push(t), flushIntervalMs: 5 });
  const a = source();
  const b = source();
  feed.add(a, 'web-1 │ ');
  feed.add(b, 'web-2 │ ');
  a.lines.fire(['abc']);
  b.lines.fire(['ERROR x']);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(writes, ['web-1 │ a\x1b[1;7mb\x1b[22;27mc\x1b[0m\r\nweb-2 │ \x1b[31mERROR x\x1b[0m\r\n']);
  feed.dispose();
});
