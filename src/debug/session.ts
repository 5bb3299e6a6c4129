// The debug adapter: translates DAP to a DebugRuntime and back, nothing else (the mock-debug
// split; docs/architecture.md, "Debugging"). Runs inline in the extension host, sharing the pooled
// SSH connection, and as a standalone server for DebugClient tests (server.ts).
import {
  Breakpoint,
  ContinuedEvent,
  DebugSession,
  InitializedEvent,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'node:path';
import type { DebugRuntime, RuntimeFrame } from '../core/debug/runtime';
import type { DebugSourceMapper } from '../core/debug/sourceMapper';
import { DisposableStore } from '../core/util/lifecycle';

export interface AttachArguments extends DebugProtocol.AttachRequestArguments {
  /** The host's name in the inventory. */
  host: string;
  pid: number;
  /** snapshot (default) never stops the process; gdb attaches interactively; node hands a Node process to VS Code's JavaScript debugger. */
  mode?: 'snapshot' | 'gdb' | 'node';
  /** The snapshot engine: auto (default), python, py-spy, eu-stack, gdb. */
  engine?: string;
  /** Run gdb through `sudo -n` (never prompts). */
  sudo?: boolean;
}

export interface SessionDependencies {
  /** Builds the runtime for an attach (connects, preflights, attaches or snapshots). */
  createRuntime(args: AttachArguments, progress: (message: string) => void): Promise<DebugRuntime>;
  /** Host paths ↔ workspace files, with the same rules stack-trace links use. */
  mapper: DebugSourceMapper;
  /** A host file's text, for frames no workspace file maps to (it is the deployed code). */
  readRemoteFile(host: string, file: string): Promise<string>;
}

export class FirefighterDebugSession extends DebugSession {
  private runtime: DebugRuntime | undefined;
  private args: AttachArguments | undefined;
  private readonly subscriptions = new DisposableStore();
  /** sourceReference → host file, for frames shown from the host. */
  private readonly remoteSources = new Map<number, string>();
  private readonly remoteSourceIds = new Map<string, number>();
  private ended = false;

  constructor(private readonly deps: SessionDependencies) {
    super();
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportTerminateDebuggee: false,
      supportsTerminateRequest: false,
    };
    this.sendResponse(response);
  }

  protected override async attachRequest(response: DebugProtocol.AttachResponse, args: AttachArguments): Promise<void> {
    const problem = checkArguments(args);
    if (problem) return this.fail(response, problem);
    this.args = args;
    try {
      const runtime = await this.deps.createRuntime(args, (message) => this.sendEvent(new OutputEvent(message + '\n', 'console')));
      this.runtime = runtime;
      this.subscriptions.add(
        runtime.onDidStop((stop) => {
          const event = new StoppedEvent(stop.reason, stop.threadId, stop.text) as DebugProtocol.StoppedEvent;
          event.body.allThreadsStopped = stop.allThreadsStopped;
          if (stop.hitBreakpointIds) event.body.hitBreakpointIds = stop.hitBreakpointIds;
          this.sendEvent(event);
        }),
      );
      this.subscriptions.add(runtime.onDidContinue((e) => this.sendEvent(new ContinuedEvent(e.threadId ?? 0, e.allThreadsContinued))));
      this.subscriptions.add(runtime.onDidOutput((o) => this.sendEvent(new OutputEvent(o.text, o.category))));
      this.subscriptions.add(runtime.onDidEnd((e) => this.end(e.reason)));
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    } catch (error) {
      this.fail(response, messageOf(error));
    }
  }

  protected override async configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): Promise<void> {
    this.sendResponse(response);
    const runtime = this.runtime as (DebugRuntime & { start?: () => Promise<void> }) | undefined;
    // A snapshot runtime shows its first snapshot once the client has set its breakpoints.
    if (runtime?.start) await runtime.start().catch((error) => this.sendEvent(new OutputEvent(messageOf(error) + '\n', 'important')));
  }

  protected override async threadsRequest(response: DebugProtocol.ThreadsResponse): Promise<void> {
    await this.answer(response, async (runtime) => {
      response.body = { threads: (await runtime.threads()).map((t) => new Thread(t.id, t.name)) };
    });
  }

  protected override async stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): Promise<void> {
    await this.answer(response, async (runtime) => {
      const { frames, total } = await runtime.stack(args.threadId, args.startFrame ?? 0, args.levels ?? 0);
      response.body = { stackFrames: await Promise.all(frames.map((f) => this.stackFrame(f))), totalFrames: total };
    });
  }

  private async stackFrame(frame: RuntimeFrame): Promise<DebugProtocol.StackFrame> {
    const stackFrame: DebugProtocol.StackFrame = new StackFrame(
      frame.id,
      frame.function,
      await this.source(frame.file),
      frame.line ?? 0,
      frame.column ?? 0,
    );
    if (frame.address && !frame.file) stackFrame.instructionPointerReference = frame.address;
    if (frame.app === false) stackFrame.presentationHint = 'subtle';
    return stackFrame;
  }

  private async source(remoteFile: string | null): Promise<Source | undefined> {
    if (!remoteFile || !this.args) return undefined;
    const local = await this.deps.mapper.toLocal(this.args.host, remoteFile).catch(() => undefined);
    if (local) return new Source(path.basename(local), local);
    let id = this.remoteSourceIds.get(remoteFile);
    if (id === undefined) {
      id = this.remoteSources.size + 1;
      this.remoteSources.set(id, remoteFile);
      this.remoteSourceIds.set(remoteFile, id);
    }
    return new Source(path.posix.basename(remoteFile), undefined, id, `${this.args.host}:${remoteFile}`);
  }

  protected override async sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): Promise<void> {
    const file = this.remoteSources.get(args.sourceReference);
    if (!file || !this.args) return this.fail(response, 'That source is no longer known to this debug session.');
    try {
      response.body = { content: await this.deps.readRemoteFile(this.args.host, file) };
      this.sendResponse(response);
    } catch (error) {
      this.fail(response, `Could not read ${file} on ${this.args.host}: ${messageOf(error)}`);
    }
  }

  protected override async scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): Promise<void> {
    await this.answer(response, async (runtime) => {
      response.body = { scopes: (await runtime.scopes(args.frameId)).map((s) => new Scope(s.name, s.reference, s.expensive ?? false)) };
    });
  }

  protected override async variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): Promise<void> {
    await this.answer(response, async (runtime) => {
      response.body = {
        variables: (await runtime.variables(args.variablesReference)).map((v) => ({
          name: v.name,
          value: v.value,
          type: v.type,
          variablesReference: v.reference,
        })),
      };
    });
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    await this.answer(response, async (runtime) => {
      const result = await runtime.evaluate(args.expression, args.frameId);
      response.body = { result: result.value, type: result.type, variablesReference: result.reference };
    });
  }

  protected override async setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): Promise<void> {
    await this.answer(response, async (runtime, attach) => {
      const local = args.source.path;
      const requested = args.breakpoints ?? [];
      if (!local) {
        response.body = { breakpoints: requested.map((b) => new Breakpoint(false, b.line)) };
        return;
      }
      const remote = await this.deps.mapper.toRemote(attach.host, local);
      const results = await runtime.setBreakpoints(
        remote,
        requested.map((b) => ({ line: b.line, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage })),
      );
      response.body = { breakpoints: results.map((r) => toBreakpoint(r)) };
    });
  }

  protected override async setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): Promise<void> {
    await this.answer(response, async (runtime) => {
      const results = await runtime.setFunctionBreakpoints(
        args.breakpoints.map((b) => ({ function: b.name, condition: b.condition, hitCondition: b.hitCondition })),
      );
      response.body = { breakpoints: results.map((r) => toBreakpoint(r)) };
    });
  }

  protected override async pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): Promise<void> {
    await this.answer(response, (runtime) => runtime.pause(args.threadId));
  }

  protected override async continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): Promise<void> {
    response.body = { allThreadsContinued: true };
    await this.answer(response, (runtime) => runtime.continue(args.threadId));
  }

  protected override async nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): Promise<void> {
    await this.answer(response, (runtime) => runtime.next(args.threadId));
  }

  protected override async stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): Promise<void> {
    await this.answer(response, (runtime) => runtime.stepIn(args.threadId));
  }

  protected override async stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): Promise<void> {
    await this.answer(response, (runtime) => runtime.stepOut(args.threadId));
  }

  /** Detach, never terminate: the process on the host runs on whatever happens here. */
  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    try {
      await this.runtime?.detach();
    } catch (error) {
      this.sendEvent(new OutputEvent(`Detaching failed: ${messageOf(error)}\n`, 'important'));
    }
    this.dispose();
    this.sendResponse(response);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (reason !== 'detached') this.sendEvent(new OutputEvent(`Debug session ended: ${reason}\n`, 'console'));
    this.sendEvent(new TerminatedEvent());
  }

  /** Runs a request against the runtime; an error becomes the response's message. */
  private async answer<R extends DebugProtocol.Response>(
    response: R,
    work: (runtime: DebugRuntime, args: AttachArguments) => Promise<unknown>,
  ): Promise<void> {
    if (!this.runtime || !this.args) return this.fail(response, 'Not attached to a process yet.');
    try {
      await work(this.runtime, this.args);
      this.sendResponse(response);
    } catch (error) {
      this.fail(response, messageOf(error));
    }
  }

  private fail(response: DebugProtocol.Response, message: string): void {
    this.sendErrorResponse(response, { id: 1, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: true });
  }

  override dispose(): void {
    this.ended = true;
    this.subscriptions.dispose();
    this.runtime?.dispose();
    this.runtime = undefined;
    super.dispose();
  }
}

function toBreakpoint(result: { id?: number; verified: boolean; line?: number; message?: string }): DebugProtocol.Breakpoint {
  const breakpoint: DebugProtocol.Breakpoint = new Breakpoint(result.verified, result.line);
  if (result.id !== undefined) breakpoint.id = result.id;
  if (result.message) breakpoint.message = result.message;
  return breakpoint;
}

/** What is wrong with a launch.json attach configuration, or undefined. */
export function checkArguments(args: Partial<AttachArguments>): string | undefined {
  if (typeof args.host !== 'string' || args.host === '')
    return 'The attach configuration needs "host": the name of a host in the Hosts view.';
  const pid = Number(args.pid);
  if (!Number.isInteger(pid) || pid <= 0)
    return `The attach configuration needs "pid", a process id on ${args.host} (use "\${command:firefighter.pickProcess}").`;
  args.pid = pid;
  if (args.mode !== undefined && args.mode !== 'snapshot' && args.mode !== 'gdb' && args.mode !== 'node')
    return `"mode" must be "snapshot", "gdb" or "node", not "${String(args.mode)}".`;
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
