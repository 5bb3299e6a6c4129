// A stack snapshot presented as a stopped debug session: threads and call stacks of one moment,
// while the real process never stopped (docs/architecture.md, "Debugging"). Continue takes the
// next snapshot; everything that would need a stopped process says so and why.
import {
  RuntimeEventSource,
  RuntimeUnsupported,
  type BreakpointRequest,
  type DebugRuntime,
  type RuntimeBreakpoint,
  type RuntimeFrame,
  type RuntimeScope,
  type RuntimeThread,
  type RuntimeVariable,
} from './runtime';
import type { Snapshot } from '../snapshot/types';

/** The parts of a snapshot (the snapshot JSON, docs/architecture.md "Contracts") this runtime shows. */
export type SnapshotView = Pick<Snapshot, 'host' | 'pid' | 'runtime' | 'engine' | 'pauseMs' | 'wallMs' | 'takenAt' | 'threads'>;

/** Where the snapshots come from: a SnapshotSession (core/snapshot/session.ts) keeps a reader alive between them. */
export interface SnapshotSource {
  take(): Promise<SnapshotView>;
  /** Ends what the source keeps on the host; called when the session ends. */
  dispose(): void;
}

const NEEDS_ATTACH =
  'A snapshot never stops the process, so there is nothing to step, break in or read variables from. Attach interactively (mode "gdb") for that.';

export class SnapshotRuntime extends RuntimeEventSource implements DebugRuntime {
  readonly kind = 'snapshot';

  private snapshot: SnapshotView | undefined;
  /** Frame ids of the current snapshot: thread index × FRAME_STRIDE + frame index + 1. */
  private static readonly FRAME_STRIDE = 100_000;
  private ended = false;
  private readonly source: SnapshotSource;

  /** A bare function is a source with nothing to end. */
  constructor(source: SnapshotSource | (() => Promise<SnapshotView>)) {
    super();
    this.source = typeof source === 'function' ? { take: source, dispose: () => undefined } : source;
  }

  /** Takes the first snapshot and reports it as a stop. */
  async start(): Promise<void> {
    await this.retake();
  }

  get current(): SnapshotView | undefined {
    return this.snapshot;
  }

  private async retake(): Promise<void> {
    const snapshot = await this.source.take();
    this.snapshot = snapshot;
    this.outputEmitter.fire({ category: 'console', text: describeSnapshot(snapshot) + '\n' });
    this.stopEmitter.fire({
      reason: 'snapshot',
      threadId: focusThread(snapshot),
      allThreadsStopped: true,
      text: `Snapshot by ${snapshot.engine}: the process kept running (paused ${formatMs(snapshot.pauseMs)}).`,
    });
  }

  async threads(): Promise<RuntimeThread[]> {
    return (this.snapshot?.threads ?? []).map((t) => ({ id: t.id, name: t.name || `thread ${t.id}` }));
  }

  async stack(threadId: number, startFrame: number, levels: number): Promise<{ frames: RuntimeFrame[]; total: number }> {
    const threads = this.snapshot?.threads ?? [];
    const index = threads.findIndex((t) => t.id === threadId);
    if (index < 0) return { frames: [], total: 0 };
    const all = threads[index].frames;
    const end = levels > 0 ? Math.min(all.length, startFrame + levels) : all.length;
    const frames: RuntimeFrame[] = [];
    for (let i = startFrame; i < end; i++) {
      const f = all[i];
      frames.push({
        id: index * SnapshotRuntime.FRAME_STRIDE + i + 1,
        function: f.function,
        file: f.file,
        line: f.line,
        column: f.column ?? null,
        app: f.app,
      });
    }
    return { frames, total: all.length };
  }

  async scopes(): Promise<RuntimeScope[]> {
    return [];
  }

  async variables(): Promise<RuntimeVariable[]> {
    return [];
  }

  async evaluate(): Promise<RuntimeVariable> {
    throw new RuntimeUnsupported(NEEDS_ATTACH);
  }

  async setBreakpoints(_file: string, requests: BreakpointRequest[]): Promise<RuntimeBreakpoint[]> {
    return requests.map((r) => ({ verified: false, line: r.line, message: NEEDS_ATTACH }));
  }

  async setFunctionBreakpoints(requests: BreakpointRequest[]): Promise<RuntimeBreakpoint[]> {
    return requests.map(() => ({ verified: false, message: NEEDS_ATTACH }));
  }

  /** Pause: the snapshot is already "paused"; take a fresh one. */
  async pause(): Promise<void> {
    await this.retake();
  }

  /** Continue: the process never stopped, so continuing shows it as it is now. */
  async continue(): Promise<void> {
    this.continueEmitter.fire({ allThreadsContinued: true });
    await this.retake();
  }

  async next(): Promise<void> {
    throw new RuntimeUnsupported(NEEDS_ATTACH);
  }

  async stepIn(): Promise<void> {
    throw new RuntimeUnsupported(NEEDS_ATTACH);
  }

  async stepOut(): Promise<void> {
    throw new RuntimeUnsupported(NEEDS_ATTACH);
  }

  async detach(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.source.dispose();
    this.endEmitter.fire({ reason: 'detached' });
  }

  dispose(): void {
    if (!this.ended) this.source.dispose();
    this.ended = true;
    this.disposeEmitters();
  }
}

/** The thread to show first: the first one running application code, else the first one. */
export function focusThread(snapshot: SnapshotView): number | undefined {
  return (snapshot.threads.find((t) => t.frames[0]?.app === true) ?? snapshot.threads[0])?.id;
}

function formatMs(ms: number): string {
  return ms === 0 ? '0 ms' : `${Number(ms.toFixed(1))} ms`;
}

/** "Snapshot of 4242 on web-1 (cpython 3.11) by python: 3 threads, paused 0 ms, took 38 ms." */
export function describeSnapshot(s: SnapshotView): string {
  const runtime = s.runtime ? ` (${s.runtime})` : '';
  const threads = `${s.threads.length} thread${s.threads.length === 1 ? '' : 's'}`;
  return `Snapshot of ${s.pid} on ${s.host}${runtime} by ${s.engine}: ${threads}, paused ${formatMs(s.pauseMs)}, took ${Math.round(s.wallMs)} ms.`;
}
