// The MI parser against real gdb output: test/fixtures/debug/gdb/mi-session.txt was recorded by
// test/fixtures/debug/gdb/record.sh (gdb 13.1, an attach to target.c), plus the grammar's corners.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { miList, miQuote, miString, miTuple, MiSyntaxError, parseMiLine, type MiRecord } from '../../../../src/core/debug/gdb/miParser';

const session = readFileSync(join(__dirname, '../../../fixtures/debug/gdb/mi-session.txt'), 'utf8').split('\n').filter(Boolean);

function resultOf(token: number): Extract<MiRecord, { kind: 'result' }> {
  const line = session.find((l) => l.startsWith(`${token}^`));
  assert.ok(line, `no result for token ${token}`);
  const record = parseMiLine(line);
  assert.equal(record.kind, 'result');
  return record as Extract<MiRecord, { kind: 'result' }>;
}

test('every line of a recorded gdb session parses as MI', () => {
  const kinds = new Set(session.map((line) => parseMiLine(line).kind));
  assert.deepEqual([...kinds].sort(), ['console', 'exec', 'log', 'notify', 'prompt', 'result']);
});

test('result records keep their token and class; ^error carries the message', () => {
  assert.deepEqual(resultOf(1), { kind: 'result', token: 1, resultClass: 'done', results: {} });
  assert.equal(resultOf(8).resultClass, 'running');
  assert.deepEqual(resultOf(15).results, { msg: 'No symbol "nosuchvar" in current context.' });
  assert.equal(resultOf(22).resultClass, 'exit');
});

test('a breakpoint tuple, and a pending one', () => {
  const bkpt = miTuple(resultOf(6).results.bkpt)!;
  assert.equal(bkpt.number, '1');
  assert.equal(bkpt.func, 'price');
  assert.equal(bkpt.cond, 'quantity == 2');
  assert.deepEqual(bkpt['thread-groups'], ['i1']);
  assert.equal(miTuple(resultOf(7).results.bkpt)!.addr, '<PENDING>');
});

test('lists of results (stack=[frame=…], children=[child=…]) become lists of tuples', () => {
  const frames = miList(resultOf(10).results.stack).map(miTuple);
  assert.deepEqual(
    frames.map((f) => f?.func),
    ['price', 'worker', 'start_thread', 'clone3'],
  );
  assert.deepEqual(
    frames.map((f) => f?.level),
    ['0', '1', '2', '3'],
  );
  const children = miList(resultOf(13).results.children).map(miTuple);
  assert.deepEqual(
    children.map((c) => c?.exp),
    ['id', 'amount', 'label'],
  );
  const variables = miList(resultOf(11).results.variables).map(miTuple);
  assert.deepEqual(
    variables.map((v) => [v?.name, v?.arg ?? null]),
    [
      ['quantity', '1'],
      ['round', '1'],
      ['item', null],
      ['cost', null],
    ],
  );
  assert.equal(variables[2]!.value, undefined, '--simple-values leaves out a struct value');
  const names = miList(resultOf(16).results['register-names']);
  assert.deepEqual(names.slice(0, 3), ['rax', 'rbx', 'rcx']);
  assert.deepEqual(
    miList(resultOf(17).results['register-values']).map((r) => miTuple(r)?.number),
    ['0', '1', '16'],
  );
});

test('c-string escapes: quotes, backslashes, \\n \\t and octal bytes decoded as UTF-8', () => {
  assert.equal(
    resultOf(14).results.value,
    '0x' + /0x([0-9a-f]+)/.exec(session.find((l) => l.startsWith('14^'))!)![1] + ' "h\u00e9llo \\"quoted\\"\\n\\ttab"',
  );
  const console = session.map(parseMiLine).find((r) => r.kind === 'console' && r.text.startsWith('Using host libthread_db'));
  assert.deepEqual(console, { kind: 'console', text: 'Using host libthread_db library "/lib/x86_64-linux-gnu/libthread_db.so.1".\n' });
  const log = session.map(parseMiLine).find((r) => r.kind === 'log');
  assert.ok(log && log.kind === 'log' && log.text.startsWith('48\t../sysdeps'));
});

test('async records: the stop at a breakpoint and the SIGINT of an interrupt', () => {
  const stops = session.map(parseMiLine).filter((r) => r.kind === 'exec' && r.asyncClass === 'stopped');
  const [attach, hit, interrupt] = stops.map((r) => (r.kind === 'exec' ? r.results : {}));
  assert.equal(attach!.reason, undefined, 'the stop of -target-attach has no reason');
  assert.equal(hit!.reason, 'breakpoint-hit');
  assert.equal(hit!.bkptno, '1');
  assert.equal(miTuple(hit!.frame)!.func, 'price');
  assert.deepEqual(
    miList(miTuple(hit!.frame)!.args).map((a) => miString(miTuple(a)?.name)),
    ['quantity', 'round'],
  );
  assert.equal(interrupt!['signal-name'], 'SIGINT');
  const notify = parseMiLine(session.find((l) => l.startsWith('=thread-group-started'))!);
  assert.deepEqual(notify.kind === 'notify' && notify.results, { id: 'i1', pid: notify.kind === 'notify' ? notify.results.pid : '' });
});

test('grammar corners: empty tuple and list, script tuples, repeated names, CRLF, tokens on async records', () => {
  assert.deepEqual(parseMiLine('^done,a={},b=[]\r'), { kind: 'result', token: undefined, resultClass: 'done', results: { a: {}, b: [] } });
  assert.deepEqual(parseMiLine('=breakpoint-modified,bkpt={script={"silent","continue"}}'), {
    kind: 'notify',
    token: undefined,
    asyncClass: 'breakpoint-modified',
    results: { bkpt: { script: { '0': 'silent', '1': 'continue' } } },
  });
  assert.deepEqual(
    parseMiLine('^done,bkpt={number="1"},bkpt={number="2"},bkpt={number="3"}').kind === 'result' && parseMiLine('^done,x="1",x="2",x="3"'),
    {
      kind: 'result',
      token: undefined,
      resultClass: 'done',
      results: { x: ['1', '2', '3'] },
    },
  );
  assert.deepEqual(parseMiLine('12*running,thread-id="all"'), {
    kind: 'exec',
    token: 12,
    asyncClass: 'running',
    results: { 'thread-id': 'all' },
  });
  assert.deepEqual(parseMiLine('+download,{section=".text"}'), {
    kind: 'status',
    token: undefined,
    asyncClass: 'download',
    results: { '0': { section: '.text' } },
  });
  assert.deepEqual(parseMiLine('~"\\e[1mbold\\e[m \\101\\x"'), { kind: 'console', text: '\x1b[1mbold\x1b[m Ax' });
  assert.deepEqual(parseMiLine('warning: not MI'), { kind: 'other', text: 'warning: not MI' });
});

test('malformed MI throws MiSyntaxError naming the line', () => {
  for (const line of ['^done,a=', '^done,a="unterminated', '*stopped,a={b="1"', '~"x" trailing', '^done,=1']) {
    assert.throws(
      () => parseMiLine(line),
      (error: unknown) => error instanceof MiSyntaxError && error.message.includes(line),
      line,
    );
  }
});

test('miQuote leaves safe words bare and quotes the rest as C strings', () => {
  assert.equal(miQuote('--thread'), '--thread');
  assert.equal(miQuote('/srv/app/main.c'), '/srv/app/main.c');
  assert.equal(miQuote('quantity == 2'), '"quantity == 2"');
  assert.equal(miQuote('say "hi"\n\\'), '"say \\"hi\\"\\n\\\\"');
  assert.equal(miQuote(''), '""');
});
