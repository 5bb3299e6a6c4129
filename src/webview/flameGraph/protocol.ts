// The messages between the flame graph panel and its webview: one typed protocol both sides
// import (docs/architecture.md, "Webviews"). The webview says `ready` first; only then is the
// profile posted, so a reloaded webview is never left empty.
import type { FlameNode, HotFunction } from '../../core/profile/flame';

export interface ProfileMessage {
  type: 'profile';
  title: string;
  /** "4242 on web-1 · 500 samples over 5 s at 100 Hz · engine python" */
  subtitle: string;
  root: FlameNode;
  hottest: HotFunction[];
}

export type ToFlameGraph = ProfileMessage;

export type FromFlameGraph =
  | { type: 'ready' }
  /** A box or a row was chosen: open its source line. */
  | { type: 'openFrame'; function: string; file: string; line: number | null };
