import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildFlameTree, hottestFunctions, type ProfileStack } from '../../../src/core/profile/flame';

const f = (fn: string, line: number, file = '/srv/app.py') => ({ function: fn, file, line });

// Root first, as a StackProfile counts them. A CPU fire: most samples in the regex check under handle(), a few idle in accept().
const stacks: ProfileStack[] = [
  { frames: [f('main', 90), f('handle', 60), f('validate_email', 31), f('match', 300, '/usr/lib/python3.11/re.py')], count: 70 },
  { frames: [f('main', 90), f('handle', 60), f('validate_email', 32)], count: 10 },
  { frames: [f('main', 88), f('accept', 12, '/usr/lib/python3.11/socket.py')], count: 20 },
];

test('the flame tree is outermost first, one box per function however many lines it was seen at', () => {
  const root = buildFlameTree(stacks);
  assert.equal(root.total, 100);
  assert.deepEqual(
    root.children.map((c) => [c.frame.function, c.total]),
    [['main', 100]],
  );
  const main = root.children[0];
  assert.deepEqual(
    main.children.map((c) => [c.frame.function, c.total, c.self]),
    [
      ['accept', 20, 20],
      ['handle', 80, 0],
    ],
  );
  const validate = main.children[1].children[0];
  assert.deepEqual([validate.frame.function, validate.total, validate.self], ['validate_email', 80, 10]);
  assert.deepEqual(
    validate.children.map((c) => [c.frame.function, c.total]),
    [['match', 70]],
  );
});

test('the hottest functions: by self samples, with shares and the line seen most often', () => {
  const rows = hottestFunctions(stacks);
  assert.deepEqual(
    rows.map((r) => [r.function, r.self, r.total, r.line]),
    [
      ['match', 70, 70, 300],
      ['accept', 20, 20, 12],
      ['validate_email', 10, 80, 31],
      ['main', 0, 100, 90],
      ['handle', 0, 80, 60],
    ],
  );
  assert.equal(rows[0].selfShare, 0.7);
  assert.equal(rows[3].totalShare, 1);
});

test('a recursive function counts once per sample in its total', () => {
  const rows = hottestFunctions([{ frames: [f('main', 9), f('fib', 4), f('fib', 4), f('fib', 3)], count: 5 }]);
  assert.deepEqual(
    rows.find((r) => r.function === 'fib'),
    { function: 'fib', file: '/srv/app.py', line: 4, self: 5, total: 5, selfShare: 1, totalShare: 1 },
  );
});
