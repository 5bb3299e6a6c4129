// What the debug adapter asks of a process on a host, whatever looks into it: a stack snapshot
// (never stops the process) or gdb/MI (interactive attach). The adapter in src/debug only
// translates DAP to these calls (docs/architecture.md, "Debugging"). Paths here are the host's.
import { EventEmitter, type Disposable, type Event } from '../util/events';

export interface RuntimeThread {
  id: number;
  name: string;
}

export interface RuntimeFrame {
  /** Unique in the runtime until it next resumes. */
  id: number;
  function: string;
  /** The path on the host, or null when unknown (no debug info). */
  file: string | null;
  line: number | null;
  column?: number | null;
  /** Program counter, for frames without a source line. */
  address?: string;
  /** False for library/runtime frames (shown dimmed). */
  app?: boolean;
}

export interface RuntimeScope {
  name: string;
  /** Passed to variables(); 0 is never a valid reference. */
  reference: number;
  expensive?: boolean;
}

export interface RuntimeVariable {
  name: string;
  value: string;
  type?: string;
  /** Children via variables(reference); 0 when it has none. */
  reference: number;
}

export interface BreakpointRequest {
  line?: number;
  function?: string;
  condition?: string;
  hitCondition?: string;
  /** A logpoint: print this (with {expressions}) instead of stopping. */
  logMessage?: string;
}

export interface RuntimeBreakpoint {
  id?: number;
  verified: boolean;
  line?: number;
  /** Why it is not verified, one sentence. */
  message?: string;
}

export interface RuntimeStop {
  reason: 'breakpoint' | 'step' | 'pause' | 'signal' | 'exception' | 'entry' | 'snapshot';
  threadId?: number;
  allThreadsStopped: boolean;
  text?: string;
  hitBreakpointIds?: number[];
}

export interface RuntimeOutput {
  category: 'console' | 'stdout' | 'stderr' | 'important';
  text: string;
}

export interface DebugRuntime extends Disposable {
  /** 'snapshot' never stops the process; 'gdb' can; 'node' hands it to VS Code's JavaScript debugger. */
  readonly kind: 'snapshot' | 'gdb' | 'node';
  readonly onDidStop: Event<RuntimeStop>;
  readonly onDidContinue: Event<{ threadId?: number; allThreadsContinued: boolean }>;
  readonly onDidOutput: Event<RuntimeOutput>;
  /** The session is over: the process exited, the connection was lost, or it was detached. */
  readonly onDidEnd: Event<{ reason: string }>;

  threads(): Promise<RuntimeThread[]>;
  /** Innermost first. */
  stack(threadId: number, startFrame: number, levels: number): Promise<{ frames: RuntimeFrame[]; total: number }>;
  scopes(frameId: number): Promise<RuntimeScope[]>;
  variables(reference: number): Promise<RuntimeVariable[]>;
  evaluate(expression: string, frameId?: number): Promise<RuntimeVariable>;
  /** Replaces the breakpoints of one host file. */
  setBreakpoints(remoteFile: string, requests: BreakpointRequest[]): Promise<RuntimeBreakpoint[]>;
  setFunctionBreakpoints(requests: BreakpointRequest[]): Promise<RuntimeBreakpoint[]>;
  pause(threadId?: number): Promise<void>;
  continue(threadId?: number): Promise<void>;
  next(threadId: number): Promise<void>;
  stepIn(threadId: number): Promise<void>;
  stepOut(threadId: number): Promise<void>;
  /**
   * Ends the session leaving the process running: interrupt if running, detach, exit the tool.
   * Safe to call twice and after onDidEnd.
   */
  detach(): Promise<void>;
}

/** Thrown for a request the runtime cannot do; its message is shown to the user as is. */
export class RuntimeUnsupported extends Error {
  override readonly name = 'RuntimeUnsupported';
}

/** The four events every runtime fires, declared once; a runtime extends it and fires through the emitters. */
export abstract class RuntimeEventSource {
  protected readonly stopEmitter = new EventEmitter<RuntimeStop>();
  protected readonly continueEmitter = new EventEmitter<{ threadId?: number; allThreadsContinued: boolean }>();
  protected readonly outputEmitter = new EventEmitter<RuntimeOutput>();
  protected readonly endEmitter = new EventEmitter<{ reason: string }>();
  readonly onDidStop = this.stopEmitter.event;
  readonly onDidContinue = this.continueEmitter.event;
  readonly onDidOutput = this.outputEmitter.event;
  readonly onDidEnd = this.endEmitter.event;

  protected disposeEmitters(): void {
    for (const emitter of [this.stopEmitter, this.continueEmitter, this.outputEmitter, this.endEmitter]) emitter.dispose();
  }
}
