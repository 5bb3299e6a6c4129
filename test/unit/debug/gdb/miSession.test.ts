// The token-matched command queue, fed the recorded gdb session's own answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiError, MiSession, type MiAsyncRecord, type MiStreamRecord } from '../../../../src/core/debug/gdb/miSession';

function session() {
  const written: string[] = [];
  const mi = new MiSession((text) => written.push(text));
  const asyncRecords: MiAsyncRecord[] = [];
  const streams: MiStreamRecord[] = [];
  const problems: string[] = [];
  mi.onAsync((r) => asyncRecords.push(r));
  mi.onStream((r) => streams.push(r));
  mi.onProblem((p) => problems.push(p));
  return { mi, written, asyncRecords, streams, problems };
}

test('commands get increasing tokens; each result settles its own command, in any order', async () => {
  const { mi, written } = session();
  const a = mi.send('-break-insert', ['x > 1'], ['--source', '/srv/a b.c', '-c', 'quantity == 2']);
  const b = mi.send('-thread-info');
  assert.deepEqual(written, ['1-break-insert --source "/srv/a b.c" -c "quantity == 2" "x > 1"\n', '2-thread-info\n']);
  mi.feed(Buffer.from('2^done,threads=[]\n(gdb) \n1^error,msg="No symbol \\"x\\" in current context."\n'));
  assert.deepEqual(await b, { resultClass: 'done', results: { threads: [] } });
  await assert.rejects(
    a,
    (error: unknown) =>
      error instanceof MiError && error.message === 'No symbol "x" in current context.' && error.command.startsWith('-break-insert'),
  );
});

test('records split across chunks, async and stream records reach their listeners', async () => {
  const { mi, asyncRecords, streams } = session();
  const run = mi.send('-exec-continue');
  for (const part of ['1^run', 'ning\n*running,thread-id="all"\n~"hel', 'lo\\n"\n@"out"\n']) mi.feed(Buffer.from(part));
  assert.equal((await run).resultClass, 'running');
  assert.deepEqual(asyncRecords, [{ kind: 'exec', token: undefined, asyncClass: 'running', results: { 'thread-id': 'all' } }]);
  assert.deepEqual(streams, [
    { kind: 'console', text: 'hello\n' },
    { kind: 'target', text: 'out' },
  ]);
});

test('a multi-byte character split between chunks is decoded whole', () => {
  const { mi, streams } = session();
  const bytes = Buffer.from('~"h\u00e9llo"\n');
  mi.feed(bytes.subarray(0, 4));
  mi.feed(bytes.subarray(4));
  assert.deepEqual(streams, [{ kind: 'console', text: 'h\u00e9llo' }]);
});

test('unknown tokens, non-MI and malformed lines are reported, not fatal', () => {
  const { mi, problems, streams } = session();
  mi.feed(Buffer.from('99^done\nwarning: something\n~"broken\n~"fine"\n'));
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /not MI: warning: something/);
  assert.match(problems[1]!, /unterminated string/);
  assert.deepEqual(streams, [{ kind: 'console', text: 'fine' }]);
});

test('close rejects what waits and what comes after', async () => {
  const { mi } = session();
  const waiting = mi.send('-gdb-exit');
  mi.close(new Error('channel closed'));
  await assert.rejects(waiting, /channel closed/);
  await assert.rejects(mi.send('-thread-info'), /channel closed/);
});

test('a write that throws rejects that command', async () => {
  const mi = new MiSession(() => {
    throw new Error('not writable');
  });
  await assert.rejects(mi.send('-thread-info'), /not writable/);
});

test('a listener that throws costs neither the other records of the chunk nor their commands', async () => {
  const { mi, problems, streams } = session();
  mi.onAsync(() => {
    throw new Error('listener bug');
  });
  const pending = mi.send('-exec-continue');
  mi.feed(Buffer.from('*running,thread-id="all"\n~"after"\n1^running\n'));
  assert.equal((await pending).resultClass, 'running');
  assert.deepEqual(streams, [{ kind: 'console', text: 'after' }]);
  assert.deepEqual(problems, ['a listener failed on a gdb record: listener bug']);
});
