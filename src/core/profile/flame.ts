// A sampling profile as a flame graph and a table of the hottest functions: built from stacks
// (root first, as a StackProfile counts them) with how many samples each was seen in. Pure data,
// shared by the CLI, the extension and the flame graph webview (docs/architecture.md, "Profiles").

import type { SnapshotFrame } from '../snapshot/types';

export type ProfileFrame = Pick<SnapshotFrame, 'function' | 'file' | 'line'>;

/** The shape of a StackProfile's counts (core/snapshot/profile.ts). */
export interface ProfileStack {
  /** Root first. */
  frames: ProfileFrame[];
  count: number;
}

export interface FlameNode {
  frame: ProfileFrame;
  /** Samples with this frame on the stack at this position (this node and below it). */
  total: number;
  /** Samples where this frame was the innermost. */
  self: number;
  children: FlameNode[];
}

export interface HotFunction {
  function: string;
  file: string | null;
  /** The line seen most often for it. */
  line: number | null;
  /** Samples where it was the innermost frame. */
  self: number;
  /** Samples where it was anywhere on the stack (counted once per sample). */
  total: number;
  selfShare: number;
  totalShare: number;
}

const ROOT: ProfileFrame = { function: 'all', file: null, line: null };

/** The same function at another line is the same flame box: boxes are functions, not statements. */
function functionKey(frame: ProfileFrame): string {
  return `${frame.function}\u0000${frame.file ?? ''}`;
}

/** The call tree, outermost at the root; children sorted by name, so equal profiles draw alike. */
export function buildFlameTree(stacks: readonly ProfileStack[]): FlameNode {
  const root: FlameNode = { frame: ROOT, total: 0, self: 0, children: [] };
  const index = new Map<FlameNode, Map<string, FlameNode>>();
  for (const stack of stacks) {
    if (stack.count <= 0) continue;
    root.total += stack.count;
    let node = root;
    for (const frame of stack.frames) {
      let children = index.get(node);
      if (!children) index.set(node, (children = new Map()));
      const key = functionKey(frame);
      let child = children.get(key);
      if (!child) {
        child = { frame: { ...frame }, total: 0, self: 0, children: [] };
        children.set(key, child);
        node.children.push(child);
      }
      child.total += stack.count;
      node = child;
    }
    node.self += stack.count;
  }
  sortTree(root);
  return root;
}

function sortTree(node: FlameNode): void {
  node.children.sort((a, b) => a.frame.function.localeCompare(b.frame.function) || (a.frame.file ?? '').localeCompare(b.frame.file ?? ''));
  for (const child of node.children) sortTree(child);
}

/** Functions by samples spent in them (self), then on the stack at all (total). */
export function hottestFunctions(stacks: readonly ProfileStack[], limit = 50): HotFunction[] {
  let samples = 0;
  const byKey = new Map<string, HotFunction & { lines: Map<number, number> }>();
  for (const stack of stacks) {
    if (stack.count <= 0) continue;
    samples += stack.count;
    const seen = new Set<string>();
    const innermost = stack.frames.length - 1;
    stack.frames.forEach((frame, depth) => {
      const key = functionKey(frame);
      let entry = byKey.get(key);
      if (!entry) {
        entry = {
          function: frame.function,
          file: frame.file,
          line: null,
          self: 0,
          total: 0,
          selfShare: 0,
          totalShare: 0,
          lines: new Map(),
        };
        byKey.set(key, entry);
      }
      if (depth === innermost) entry.self += stack.count;
      if (!seen.has(key)) {
        seen.add(key);
        entry.total += stack.count;
      }
      if (frame.line !== null) entry.lines.set(frame.line, (entry.lines.get(frame.line) ?? 0) + stack.count);
    });
  }
  const rows = [...byKey.values()].map(({ lines, ...row }) => {
    let best: number | null = null;
    let bestCount = 0;
    for (const [line, count] of lines)
      if (count > bestCount || (count === bestCount && best !== null && line < best)) [best, bestCount] = [line, count];
    return { ...row, line: best, selfShare: samples ? row.self / samples : 0, totalShare: samples ? row.total / samples : 0 };
  });
  rows.sort((a, b) => b.self - a.self || b.total - a.total || a.function.localeCompare(b.function));
  return rows.slice(0, limit);
}
