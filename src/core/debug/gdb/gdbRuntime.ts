// An interactive attach: gdb/MI (all-stop, mi-async) under the host's watchdog, on one exec
// channel of the pooled connection. The process runs between stops; work that needs it stopped
// while it runs (breakpoints) pauses it internally and resumes it, with no stop shown. Detach goes
// in a fixed order: take a SIGINT we may have left queued, -target-detach (running or not),
// -gdb-exit, end the channel (the watchdog then checks the process is not left stopped), resolve.
// See docs/architecture.md, "Debugging: gdb/MI and the watchdog".
import type { EventPublisher } from '../../events';
import type { RemoteProcess } from '../../ssh/remote';
import type { Clock } from '../../util/clock';
import {
  RuntimeEventSource,
  RuntimeUnsupported,
  type BreakpointRequest,
  type DebugRuntime,
  type RuntimeBreakpoint,
  type RuntimeFrame,
  type RuntimeScope,
  type RuntimeStop,
  type RuntimeThread,
  type RuntimeVariable,
} from '../runtime';
import { fromBkpt, insertPlan, interpolate } from './breakpoints';
import { Inspector } from './inspect';
import { miString, miTuple } from './miParser';
import { idsOf, shown, stopOf } from './stops';
import { MiError, MiSession, type MiAsyncRecord, type MiStreamRecord } from './miSession';
import { startHeartbeat } from './watchdog';

export interface GdbRuntimeContext {
  host: string;
  pid: number;
  events: EventPublisher;
  clock: Clock;
  heartbeatMs: number;
  /** How long to wait for gdb to answer during attach and detach before leaving it to the watchdog. */
  answerTimeoutMs?: number;
}

type State = 'running' | 'stopped' | 'ended';

const SOURCE = 'gdb';
/** What the channel's stderr keeps for error messages (the watchdog's and gdb's last words). */
const STDERR_TAIL = 4000;
/** How long a detach lets the process run to take a SIGINT that may still be queued. */
const PENDING_INTERRUPT_MS = 2000;

export class GdbRuntime extends RuntimeEventSource implements DebugRuntime {
  readonly kind = 'gdb';

  private readonly mi: MiSession;
  private readonly inspector: Inspector;
  private readonly heartbeat: { stop(): void };
  private state: State = 'stopped';
  /** The user sees the process stopped (an event went out); false for internal pauses. */
  private visibleStop = false;
  private internalPause = false;
  /** An -exec-interrupt was sent and its SIGINT stop not seen yet. */
  private interruptPending = false;
  private resumeReason = 'continue';
  private stopWaiters: ((record: MiAsyncRecord) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lineBreakpoints = new Map<string, number[]>();
  private functionBreakpoints: number[] = [];
  /** Breakpoint id → logpoint message. */
  private readonly logpoints = new Map<number, string>();
  /** Counts stops, so a job queued for one stop can tell the process ran since. */
  private stopCount = 0;
  private detaching: Promise<void> | undefined;
  /** Why the runtime is closing the channel itself (detach, failed attach). */
  private closing: string | undefined;
  private endReason: string | undefined;
  private stderrTail = '';

  constructor(
    private readonly proc: RemoteProcess,
    private readonly context: GdbRuntimeContext,
  ) {
    super();
    this.mi = new MiSession((text) => {
      if (!proc.stdin.writable) throw new Error(`the gdb channel to ${context.host} is closed`);
      proc.stdin.write(text);
    });
    this.inspector = new Inspector(this.mi);
    this.mi.onAsync((record) => this.onAsync(record));
    this.mi.onStream((record) => this.onStream(record));
    this.mi.onProblem((text) => this.outputEmitter.fire({ category: 'console', text: `${shown(text)}\n` }));
    proc.stdout.on('data', (chunk: Buffer) => this.mi.feed(chunk));
    proc.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
      this.outputEmitter.fire({ category: 'stderr', text: shown(text) });
    });
    proc.stdin.on('error', () => undefined);
    this.heartbeat = startHeartbeat((line) => proc.stdin.writable && proc.stdin.write(line), context.clock, context.heartbeatMs);
    void proc.exit.then(({ error }) => {
      const reason =
        this.closing ??
        `the gdb channel to ${context.host} closed${error ? ` (${error.message})` : ''}${this.lastWords()}; the watchdog on ${context.host} detaches gdb`;
      this.end(reason);
    });
  }

  /** Sets gdb up, attaches, and lets the process run on. Throws (after cleaning up) when gdb cannot attach. */
  async attach(): Promise<void> {
    const { host, pid } = this.context;
    try {
      await this.answered(this.mi.send('-gdb-set', ['mi-async', 'on']));
      // An ssh session often has no locale: without a charset gdb shows non-ASCII text as octal.
      for (const setting of [
        ['confirm', 'off'],
        ['pagination', 'off'],
        ['debuginfod', 'enabled', 'off'],
        ['charset', 'UTF-8'],
      ]) {
        // An older gdb has no debuginfod setting (nor iconv): nothing to set then.
        await this.answered(this.mi.send('-gdb-set', setting)).catch((error: unknown) => {
          if (!(error instanceof MiError)) throw error;
        });
      }
      const stopped = this.nextStop();
      await this.answered(this.mi.send('-target-attach', [String(pid)]));
      await this.answered(stopped);
      this.state = 'stopped';
      await this.answered(this.mi.send('-exec-continue'));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.shutdown(`attach failed: ${reason}`);
      throw new Error(`gdb could not attach to process ${pid} on ${host}: ${reason}${this.lastWords()}`);
    }
    this.context.events.publish('debug.attached', SOURCE, { host, pid, engine: 'gdb', reason: 'attach' });
  }

  threads(): Promise<RuntimeThread[]> {
    return this.inspector.threads();
  }

  stack(threadId: number, startFrame: number, levels: number): Promise<{ frames: RuntimeFrame[]; total: number }> {
    this.requireStopped('read the call stack');
    return this.inspector.stack(threadId, startFrame, levels);
  }

  async scopes(frameId: number): Promise<RuntimeScope[]> {
    return this.inspector.scopes(frameId);
  }

  variables(reference: number): Promise<RuntimeVariable[]> {
    this.requireStopped('read variables');
    return this.inspector.variables(reference);
  }

  evaluate(expression: string, frameId?: number): Promise<RuntimeVariable> {
    this.requireStopped('evaluate expressions');
    return this.inspector.evaluate(expression, frameId);
  }

  setBreakpoints(remoteFile: string, requests: BreakpointRequest[]): Promise<RuntimeBreakpoint[]> {
    return this.whileStopped(async () => {
      await this.deleteBreakpoints(this.lineBreakpoints.get(remoteFile) ?? []);
      const placed = await this.insertAll(requests, (request) => ['--source', remoteFile, '--line', String(request.line ?? 0)]);
      this.lineBreakpoints.set(remoteFile, idsOf(placed));
      return placed;
    });
  }

  setFunctionBreakpoints(requests: BreakpointRequest[]): Promise<RuntimeBreakpoint[]> {
    return this.whileStopped(async () => {
      await this.deleteBreakpoints(this.functionBreakpoints);
      const placed = await this.insertAll(requests, (request) => ['--function', request.function ?? '']);
      this.functionBreakpoints = idsOf(placed);
      return placed;
    });
  }

  async pause(): Promise<void> {
    if (this.state !== 'running') return;
    this.interruptPending = true;
    await this.mi.send('-exec-interrupt', [], ['--all']);
  }

  async continue(): Promise<void> {
    if (this.state === 'running') return;
    await this.resume('continue', '-exec-continue', []);
  }

  next(threadId: number): Promise<void> {
    return this.resume('step', '-exec-next', ['--thread', String(threadId)]);
  }

  stepIn(threadId: number): Promise<void> {
    return this.resume('step', '-exec-step', ['--thread', String(threadId)]);
  }

  stepOut(threadId: number): Promise<void> {
    return this.resume('step', '-exec-finish', ['--thread', String(threadId), '--frame', '0']);
  }

  detach(): Promise<void> {
    return (this.detaching ??= this.shutdown('detached'));
  }

  dispose(): void {
    void this.detach();
  }

  private async resume(reason: string, operation: string, options: string[]): Promise<void> {
    this.requireStopped(reason === 'step' ? 'step' : 'continue');
    this.resumeReason = reason;
    await this.mi.send(operation, [], options);
  }

  private async insertAll(
    requests: BreakpointRequest[],
    locationOf: (request: BreakpointRequest) => string[],
  ): Promise<RuntimeBreakpoint[]> {
    const placed: RuntimeBreakpoint[] = [];
    for (const request of requests) {
      const plan = insertPlan(request);
      if ('error' in plan) {
        placed.push({ verified: false, line: request.line, message: plan.error });
        continue;
      }
      try {
        const { results } = await this.mi.send('-break-insert', [], [...plan.options, ...locationOf(request)]);
        const breakpoint = fromBkpt(miTuple(results.bkpt), request.line);
        if (request.logMessage && breakpoint.id !== undefined) this.logpoints.set(breakpoint.id, request.logMessage);
        placed.push(breakpoint);
      } catch (error) {
        if (!(error instanceof MiError)) throw error;
        placed.push({ verified: false, line: request.line, message: error.message });
      }
    }
    return placed;
  }

  private async deleteBreakpoints(ids: number[]): Promise<void> {
    for (const id of ids) this.logpoints.delete(id);
    if (ids.length > 0) await this.mi.send('-break-delete', ids.map(String)).catch(() => undefined);
  }

  /** Runs `work` with the process stopped, one at a time; a process that ran is resumed after. */
  private whileStopped<T>(work: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.state === 'ended')
        throw new RuntimeUnsupported(`The debug session of process ${this.context.pid} on ${this.context.host} has ended.`);
      if (this.state !== 'running') return work();
      this.internalPause = true;
      try {
        const stopped = this.nextStop();
        this.interruptPending = true;
        await this.mi.send('-exec-interrupt', [], ['--all']);
        await this.answered(stopped);
      } finally {
        this.internalPause = false;
      }
      // A breakpoint may have stopped it first: that stop is the user's, so it stays stopped.
      const resumeAfter = !this.visibleStop;
      try {
        return await work();
      } finally {
        if (resumeAfter && this.isStopped()) {
          this.resumeReason = 'internal';
          await this.mi.send('-exec-continue').catch(() => undefined);
        }
      }
    };
    return this.enqueue(run);
  }

  /** Runs jobs that stop or resume the process one at a time. */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const result = this.queue.then(job, job);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** A logpoint hit holds the process: print the message, then let it run on (no stop shown). */
  private answerLogpoint(record: MiAsyncRecord, message: string): void {
    const stop = this.stopCount;
    const thread = ['--thread', miString(record.results['thread-id']) ?? '1', '--frame', '0'];
    void this.enqueue(async () => {
      if (stop !== this.stopCount || !this.isStopped()) return;
      const text = await interpolate(message, async (expression) => {
        const { results } = await this.mi.send('-data-evaluate-expression', [expression], thread);
        return miString(results.value) ?? '';
      });
      this.outputEmitter.fire({ category: 'console', text: `${shown(text)}\n` });
      if (stop === this.stopCount && this.isStopped() && !this.visibleStop) {
        this.resumeReason = 'internal';
        await this.mi.send('-exec-continue');
      }
    }).catch(() => undefined);
  }

  private onAsync(record: MiAsyncRecord): void {
    if (record.kind !== 'exec') return;
    if (record.asyncClass === 'running') this.onRunning();
    else if (record.asyncClass === 'stopped') this.onStopped(record);
  }

  private onRunning(): void {
    if (this.state === 'ended') return;
    this.state = 'running';
    this.inspector.reset();
    if (!this.visibleStop) return;
    this.visibleStop = false;
    this.continueEmitter.fire({ allThreadsContinued: true });
    this.context.events.publish('debug.continued', SOURCE, { host: this.context.host, pid: this.context.pid, reason: this.resumeReason });
  }

  private onStopped(record: MiAsyncRecord): void {
    if (this.state === 'ended') return;
    const reason = miString(record.results.reason);
    if (reason === 'exited' || reason === 'exited-normally' || reason === 'exited-signalled') {
      const code = miString(record.results['exit-code']) ?? miString(record.results['signal-name']);
      this.end(`process ${this.context.pid} exited${code ? ` (${code})` : ''}`);
      return;
    }
    this.state = 'stopped';
    this.stopCount++;
    const waited = this.stopWaiters.length > 0;
    for (const waiter of this.stopWaiters.splice(0)) waiter(record);
    const signal = miString(record.results['signal-name']);
    if (signal === 'SIGINT') this.interruptPending = false;
    if (this.internalPause && signal === 'SIGINT') return;
    // The stop of -target-attach has no reason; attach() waits for it and resumes.
    if (reason === undefined && waited) return;
    const logpoint = reason === 'breakpoint-hit' ? this.logpoints.get(Number(miString(record.results.bkptno))) : undefined;
    if (logpoint !== undefined) return this.answerLogpoint(record, logpoint);
    this.showStop(stopOf(record, reason ?? 'attached', signal));
  }

  private showStop(stop: RuntimeStop): void {
    this.visibleStop = true;
    this.stopEmitter.fire(stop);
    this.context.events.publish('debug.paused', SOURCE, {
      host: this.context.host,
      pid: this.context.pid,
      reason: stop.reason,
      threadId: stop.threadId,
    });
  }

  private onStream(record: MiStreamRecord): void {
    const category = record.kind === 'target' ? 'stdout' : record.kind === 'log' ? 'stderr' : 'console';
    this.outputEmitter.fire({ category, text: shown(record.text) });
  }

  private nextStop(): Promise<MiAsyncRecord> {
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  /** `promise`, or a rejection when gdb has not answered in time (a hung gdb is the watchdog's). */
  private answered<T>(promise: Promise<T>, ms = this.context.answerTimeoutMs ?? 30_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.context.clock.setTimeout(
        () => reject(new Error(`gdb on ${this.context.host} did not answer within ${ms} ms`)),
        ms,
      );
      promise.then(
        (value) => {
          timer.cancel();
          resolve(value);
        },
        (error: unknown) => {
          timer.cancel();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /**
   * An interrupt we sent was overtaken by another stop, so its SIGINT may still be queued: let
   * the process run until gdb takes it (gdb does not pass SIGINT on). No stop within the bound
   * means gdb had dropped it already, and the process simply runs.
   */
  private async takePendingInterrupt(): Promise<void> {
    const stopped = this.nextStop();
    this.internalPause = true;
    try {
      await this.answered(this.mi.send('-exec-continue'));
      await this.answered(stopped, PENDING_INTERRUPT_MS).catch(() => undefined);
    } finally {
      this.internalPause = false;
    }
  }

  private async shutdown(reason: string): Promise<void> {
    this.closing ??= reason;
    if (this.state !== 'ended') {
      try {
        // A pause in flight: let its stop arrive first.
        if (this.interruptPending && !this.isStopped()) await this.answered(this.nextStop(), PENDING_INTERRUPT_MS).catch(() => undefined);
        if (this.interruptPending && this.isStopped()) await this.takePendingInterrupt();
        // No interrupt first, though DebugRuntime.detach's order names one: its SIGINT, if a
        // breakpoint stop raced it, would wait in the kernel and kill the process once detached.
        // gdb detaches a running process itself (stopping it with SIGSTOPs it swallows, taking
        // its breakpoints out).
        await this.answered(this.mi.send('-target-detach'));
        await this.answered(this.mi.send('-gdb-exit'));
      } catch {
        // Whatever gdb did not do, the watchdog does when its stdin ends below.
      }
      // The heartbeat goes on until here, so the watchdog never races this orderly detach.
      this.heartbeat.stop();
      this.proc.stdin.end();
      const closed = await this.answered(this.proc.exit).catch(() => undefined);
      if (!closed) this.proc.close();
    }
    this.end(reason);
  }

  private end(reason: string): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    this.state = 'ended';
    this.heartbeat.stop();
    this.mi.close(new RuntimeUnsupported(`The debug session of process ${this.context.pid} on ${this.context.host} has ended: ${reason}.`));
    for (const waiter of this.stopWaiters.splice(0)) waiter({ kind: 'exec', asyncClass: 'stopped', results: {} });
    this.context.events.publish('debug.detached', SOURCE, { host: this.context.host, pid: this.context.pid, reason });
    this.endEmitter.fire({ reason });
    if (!this.closing) this.proc.close();
    this.disposeEmitters();
  }

  /** A method, so checks after an await are not narrowed away by the compiler. */
  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private requireStopped(what: string): void {
    if (this.state === 'ended')
      throw new RuntimeUnsupported(`The debug session of process ${this.context.pid} on ${this.context.host} has ended.`);
    if (this.state === 'running') throw new RuntimeUnsupported(`Process ${this.context.pid} is running: pause it to ${what}.`);
  }

  private lastWords(): string {
    const line = this.stderrTail.trim().split('\n').pop()?.trim();
    return line ? ` (${shown(line)})` : '';
  }
}
