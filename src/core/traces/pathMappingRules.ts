// The path-mapping rules in force (remote root → local folder, optionally per host), held apart from
// any editor so the Stack Traces view and a debug adapter map the same paths the same way. The
// view layer feeds it from the `firefighter.pathMappings` setting; users of the rules read them
// when they map and listen for changes (docs/architecture.md, "Traces").
import { type Event, EventEmitter, type Disposable } from '../util/events';
import type { PathMappingRule } from './mapping';

export class PathMappingRules implements Disposable {
  private current: readonly PathMappingRule[] = [];
  private readonly changed = new EventEmitter<readonly PathMappingRule[]>();
  /** Fires with the new rules when they change. */
  readonly onDidChange: Event<readonly PathMappingRule[]> = this.changed.event;

  get rules(): readonly PathMappingRule[] {
    return this.current;
  }

  /** Replaces the rules; listeners hear of it only when they differ. */
  set(rules: readonly PathMappingRule[]): void {
    const next = rules.map((rule) => (rule.host === undefined ? { remoteRoot: rule.remoteRoot, localRoot: rule.localRoot } : { ...rule }));
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = Object.freeze(next);
    this.changed.fire(this.current);
  }

  /** The rules that apply to frames from `host` (rules for every host, and that host's own). */
  forHost(host: string | undefined): PathMappingRule[] {
    return this.current.filter((rule) => rule.host === undefined || rule.host === host);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
