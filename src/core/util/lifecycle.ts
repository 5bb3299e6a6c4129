// One way to dispose (docs/architecture.md, "Services, settings and disposal"), in the shape of VS
// Code's lifecycle.ts: what a class creates goes through `_register` into its store, what a
// function registers comes back as one disposable, and everything is disposed once, last first.
// A disposal that throws never stops the others, and is never swallowed: the errors come back
// together, thrown to the caller or handed to the reporter the store was given.

export interface IDisposable {
  dispose(): void;
}

/** Where disposal errors go when the owner cannot let them propagate (e.g. to the output channel). */
export type ErrorReporter = (error: unknown) => void;

/** The errors of one disposal run as one: the error itself when alone, else an AggregateError. */
export function combineErrors(errors: unknown[]): unknown {
  if (errors.length === 1) return errors[0];
  const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)));
  return new AggregateError(errors, `${errors.length} disposals failed: ${messages.join('; ')}`);
}

/** Disposes every item, even when some throw; then throws what they threw (see `combineErrors`). */
export function disposeAll(items: Iterable<IDisposable>): void {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      item.dispose();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw combineErrors(errors);
}

/** A disposable that runs `dispose` once. */
export function toDisposable(dispose: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/** Holds disposables and disposes them once, last added first. */
export class DisposableStore implements IDisposable {
  private items: IDisposable[] = [];
  private disposed = false;

  /** Without `report`, `dispose()` throws the disposal errors to its caller. */
  constructor(private readonly report?: ErrorReporter) {}

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Keeps `item` until the store is disposed; a store already disposed disposes it at once. */
  add<T extends IDisposable>(item: T): T {
    if (this.disposed) this.settle(() => disposeAll([item]));
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    this.settle(() => disposeAll(items));
  }

  private settle(run: () => void): void {
    if (!this.report) return run();
    try {
      run();
    } catch (error) {
      this.report(error);
    }
  }
}

/** One disposable for many, as `register*` functions return them. */
export function combinedDisposable(...items: IDisposable[]): DisposableStore {
  const store = new DisposableStore();
  for (const item of items) store.add(item);
  return store;
}

/** A base for classes that own disposables: `this._register(x)` and one `dispose()` for all. */
export abstract class Disposable implements IDisposable {
  protected readonly _store: DisposableStore;

  constructor(report?: ErrorReporter) {
    this._store = new DisposableStore(report);
  }

  protected _register<T extends IDisposable>(item: T): T {
    return this._store.add(item);
  }

  dispose(): void {
    this._store.dispose();
  }
}
