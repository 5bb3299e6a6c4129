import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBkpt, ignoreCount, insertPlan, interpolate } from '../../../../src/core/debug/gdb/breakpoints';
import { miTuple, parseMiLine } from '../../../../src/core/debug/gdb/miParser';

test('hit conditions become ignore counts; anything else is refused with a sentence', () => {
  assert.equal(ignoreCount('5'), 4);
  assert.equal(ignoreCount('= 5'), 4);
  assert.equal(ignoreCount('>=5'), 4);
  assert.equal(ignoreCount('> 5'), 5);
  assert.equal(ignoreCount('1'), 0);
  assert.match((ignoreCount('% 2') as { error: string }).error, /not supported/);
  assert.deepEqual(insertPlan({ line: 3, condition: 'x > 1', hitCondition: '3' }), { options: ['-f', '-c', 'x > 1', '-i', '2'] });
  assert.deepEqual(insertPlan({ line: 3, hitCondition: '1' }), { options: ['-f'] });
  assert.ok('error' in insertPlan({ line: 3, hitCondition: 'often' }));
});

test('gdb breakpoints (real -break-insert answers) become RuntimeBreakpoints', () => {
  const bkpt = (line: string) => {
    const record = parseMiLine(line);
    return record.kind === 'result' ? miTuple(record.results.bkpt) : undefined;
  };
  assert.deepEqual(
    fromBkpt(
      bkpt(
        '6^done,bkpt={number="1",type="breakpoint",disp="keep",enabled="y",addr="0x000055e8690eb1ce",func="price",file="target.c",fullname="/t/target.c",line="19",thread-groups=["i1"],times="0"}',
      ),
      19,
    ),
    { id: 1, verified: true, line: 19 },
  );
  assert.deepEqual(
    fromBkpt(
      bkpt(
        '7^done,bkpt={number="2",type="breakpoint",disp="keep",enabled="y",addr="<PENDING>",pending="-function no_such_function",times="0",original-location="-function no_such_function"}',
      ),
    ),
    {
      id: 2,
      verified: false,
      line: undefined,
      message: 'Not in the loaded code yet (pending): -function no_such_function',
    },
  );
  // mi3: several locations in a list.
  assert.deepEqual(
    fromBkpt(bkpt('^done,bkpt={number="3",addr="<MULTIPLE>",times="0",locations=[{number="3.1",line="40"},{number="3.2",line="40"}]}'), 40),
    { id: 3, verified: true, line: 40 },
  );
  assert.equal(fromBkpt(undefined, 5).verified, false);
});

test('a logpoint message interpolates each {expression}, errors shown in place', async () => {
  const asked: string[] = [];
  const text = await interpolate('q={quantity} r={ round } {nope}!', async (expression) => {
    asked.push(expression);
    if (expression === 'nope') throw new Error('No symbol "nope" in current context.');
    return expression === 'quantity' ? '2' : '7';
  });
  assert.equal(text, 'q=2 r=7 <error: No symbol "nope" in current context.>!');
  assert.deepEqual(asked, ['quantity', 'round', 'nope']);
  assert.equal(await interpolate('plain', async () => 'x'), 'plain');
});
