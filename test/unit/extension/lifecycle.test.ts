// One way to dispose (src/core/util/lifecycle.ts): everything once, last first, and a disposal
// that throws neither stops the others nor disappears.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combinedDisposable, Disposable, DisposableStore, disposeAll, toDisposable } from '../../../src/core/util/lifecycle';

function recorder() {
  const order: string[] = [];
  const item = (name: string) => toDisposable(() => order.push(name));
  const failing = (name: string) =>
    toDisposable(() => {
      order.push(name);
      throw new Error(`${name} failed`);
    });
  return { order, item, failing };
}

test('a store disposes its items once, last added first', () => {
  const { order, item } = recorder();
  const store = new DisposableStore();
  store.add(item('a'));
  store.add(item('b'));
  store.dispose();
  store.dispose();
  assert.deepEqual(order, ['b', 'a']);
  assert.equal(store.isDisposed, true);
});

test('an item added to a disposed store is disposed at once', () => {
  const { order, item } = recorder();
  const store = new DisposableStore();
  store.dispose();
  store.add(item('late'));
  assert.deepEqual(order, ['late']);
});

test('one failing disposal does not stop the others and is thrown to the caller as itself', () => {
  const { order, item, failing } = recorder();
  const store = new DisposableStore();
  store.add(item('a'));
  store.add(failing('b'));
  store.add(item('c'));
  assert.throws(() => store.dispose(), { message: 'b failed' });
  assert.deepEqual(order, ['c', 'b', 'a']);
});

test('several failing disposals come back together as one AggregateError', () => {
  const { failing } = recorder();
  let error: unknown;
  try {
    disposeAll([failing('x'), failing('y')]);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof AggregateError);
  assert.deepEqual(
    error.errors.map((e: Error) => e.message),
    ['x failed', 'y failed'],
  );
  assert.equal(error.message, '2 disposals failed: x failed; y failed');
});

test('a store with a reporter hands it the errors instead of throwing', () => {
  const { order, item, failing } = recorder();
  const reported: unknown[] = [];
  const store = new DisposableStore((error) => reported.push(error));
  store.add(failing('a'));
  store.add(item('b'));
  store.add(failing('c'));
  store.dispose();
  assert.deepEqual(order, ['c', 'b', 'a']);
  assert.equal(reported.length, 1);
  assert.ok(reported[0] instanceof AggregateError);
  store.add(failing('late'));
  assert.deepEqual(
    reported.map((e) => (e as Error).message),
    ['2 disposals failed: c failed; a failed', 'late failed'],
  );
});

test('a Disposable subclass registers what it owns and disposes it with itself', () => {
  const { order, item } = recorder();
  class Owner extends Disposable {
    constructor() {
      super();
      this._register(item('first'));
      this._register(item('second'));
    }
  }
  const owner = new Owner();
  owner.dispose();
  assert.deepEqual(order, ['second', 'first']);
});

test('combinedDisposable returns one disposable for many; toDisposable runs once', () => {
  const { order, item } = recorder();
  const combined = combinedDisposable(item('a'), item('b'));
  combined.dispose();
  combined.dispose();
  assert.deepEqual(order, ['b', 'a']);
});
