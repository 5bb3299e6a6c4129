// A vscode-free EventEmitter, shaped like VS Code's so the views can pass core events straight
// through. Disposal lives in ./lifecycle.ts.
import type { IDisposable } from './lifecycle';

export type Disposable = IDisposable;

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class EventEmitter<T> implements Disposable {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
