// Reading a stopped process through gdb/MI: threads, frames, scopes (locals, arguments,
// registers), variables (aggregates through varobjs) and evaluation. Frame ids and variable
// references live until the process next resumes (reset()); the varobjs made meanwhile are
// deleted then, so gdb does not keep re-reading them.
import { RuntimeUnsupported, type RuntimeFrame, type RuntimeScope, type RuntimeThread, type RuntimeVariable } from '../runtime';
import { miList, miString, miTuple, type MiTuple } from './miParser';
import { MiError, type MiSession } from './miSession';

type Handle = { kind: 'locals' | 'arguments' | 'registers'; threadId: number; level: number } | { kind: 'varobj'; name: string };

export class Inspector {
  private frames = new Map<number, { threadId: number; level: number }>();
  private handles = new Map<number, Handle>();
  private varobjs: string[] = [];
  private nextId = 1;
  private registerNames: Promise<string[]> | undefined;

  constructor(private readonly mi: MiSession) {}

  /** Forgets frames and references (the process resumed) and deletes the varobjs made for them. */
  reset(): void {
    this.frames.clear();
    this.handles.clear();
    for (const name of this.varobjs.splice(0)) this.mi.send('-var-delete', [name]).catch(() => undefined);
  }

  async threads(): Promise<RuntimeThread[]> {
    const { results } = await this.mi.send('-thread-info');
    return miList(results.threads).flatMap((value) => {
      const thread = miTuple(value);
      const id = Number(miString(thread?.id));
      if (!thread || !Number.isFinite(id)) return [];
      const lwp = /LWP (\d+)/.exec(miString(thread['target-id']) ?? '')?.[1];
      const name = miString(thread.name) ?? miString(thread['target-id']) ?? `thread ${id}`;
      return [{ id, name: lwp ? `${name} (LWP ${lwp})` : name }];
    });
  }

  async stack(threadId: number, startFrame: number, levels: number): Promise<{ frames: RuntimeFrame[]; total: number }> {
    const thread = ['--thread', String(threadId)];
    const depth = await this.mi.send('-stack-info-depth', [], thread);
    const total = Number(miString(depth.results.depth)) || 0;
    if (startFrame >= total) return { frames: [], total };
    const end = levels > 0 ? Math.min(total, startFrame + levels) - 1 : total - 1;
    const { results } = await this.mi.send('-stack-list-frames', [String(startFrame), String(end)], thread);
    const frames = miList(results.stack).flatMap((value) => {
      const frame = miTuple(value);
      return frame ? [this.frameOf(frame, threadId)] : [];
    });
    return { frames, total };
  }

  scopes(frameId: number): RuntimeScope[] {
    const frame = this.frame(frameId);
    return [
      { name: 'Locals', reference: this.handle({ kind: 'locals', ...frame }) },
      { name: 'Arguments', reference: this.handle({ kind: 'arguments', ...frame }) },
      { name: 'Registers', reference: this.handle({ kind: 'registers', ...frame }), expensive: true },
    ];
  }

  async variables(reference: number): Promise<RuntimeVariable[]> {
    const handle = this.handles.get(reference);
    if (!handle) throw new RuntimeUnsupported('Those variables are gone: the process ran since they were read.');
    if (handle.kind === 'varobj') return this.children(handle.name);
    if (handle.kind === 'registers') return this.registers(handle.threadId, handle.level);
    const { results } = await this.mi.send('-stack-list-variables', [], [...frameOptions(handle), '--simple-values']);
    const wanted = miList(results.variables)
      .map(miTuple)
      .filter((v): v is MiTuple => !!v && (miString(v.arg) === '1') === (handle.kind === 'arguments'));
    const out: RuntimeVariable[] = [];
    for (const variable of wanted) {
      const name = miString(variable.name) ?? '?';
      const value = miString(variable.value);
      // --simple-values leaves out the value of arrays, structs and unions: those get a varobj.
      if (value !== undefined) out.push({ name, value, type: miString(variable.type), reference: 0 });
      else out.push({ ...(await this.create(name, handle)), name });
    }
    return out;
  }

  async evaluate(expression: string, frameId?: number): Promise<RuntimeVariable> {
    const frame = frameId === undefined ? undefined : this.frame(frameId);
    try {
      return await this.create(expression, frame);
    } catch (error) {
      if (!(error instanceof MiError)) throw error;
      // -var-create says only "unable to create variable object"; this gives gdb's reason, or
      // a value for what a varobj cannot hold.
      const { results } = await this.mi.send('-data-evaluate-expression', [expression], frame ? frameOptions(frame) : []);
      return { name: expression, value: miString(results.value) ?? '', reference: 0 };
    }
  }

  private async create(expression: string, frame: { threadId: number; level: number } | undefined): Promise<RuntimeVariable> {
    const { results } = await this.mi.send('-var-create', [expression], [...(frame ? frameOptions(frame) : []), '-', '*']);
    const name = miString(results.name);
    if (name) this.varobjs.push(name);
    return this.variableOf(expression, results, name);
  }

  private async children(varobj: string): Promise<RuntimeVariable[]> {
    const { results } = await this.mi.send('-var-list-children', [varobj], ['--all-values']);
    return miList(results.children).flatMap((value) => {
      const child = miTuple(value);
      if (!child) return [];
      return [this.variableOf(miString(child.exp) ?? miString(child.name) ?? '?', child, miString(child.name))];
    });
  }

  private async registers(threadId: number, level: number): Promise<RuntimeVariable[]> {
    this.registerNames ??= this.mi
      .send('-data-list-register-names')
      .then(({ results }) => miList(results['register-names']).map((n) => miString(n) ?? ''));
    const names = await this.registerNames.catch((error: unknown) => {
      this.registerNames = undefined;
      throw error;
    });
    const { results } = await this.mi.send('-data-list-register-values', ['x'], frameOptions({ threadId, level }));
    return miList(results['register-values']).flatMap((value) => {
      const register = miTuple(value);
      const name = names[Number(miString(register?.number))];
      const text = miString(register?.value);
      return name && text !== undefined ? [{ name, value: text, reference: 0 }] : [];
    });
  }

  private variableOf(name: string, varobj: MiTuple, varobjName: string | undefined): RuntimeVariable {
    const hasChildren = Number(miString(varobj.numchild) ?? '0') > 0 || miString(varobj.dynamic) === '1';
    return {
      name,
      value: miString(varobj.value) ?? '',
      type: miString(varobj.type),
      reference: hasChildren && varobjName ? this.handle({ kind: 'varobj', name: varobjName }) : 0,
    };
  }

  private frameOf(frame: MiTuple, threadId: number): RuntimeFrame {
    const level = Number(miString(frame.level) ?? '0');
    const id = this.nextId++;
    this.frames.set(id, { threadId, level });
    const fullname = miString(frame.fullname);
    const file = fullname ?? miString(frame.file) ?? null;
    const line = Number(miString(frame.line)) || null;
    const from = miString(frame.from);
    const fn = miString(frame.func) ?? '??';
    return {
      id,
      function: from && !file ? `${fn} (${from})` : fn,
      file,
      line,
      address: miString(frame.addr),
      // Library frames (no source, or glibc's relative build paths, or system headers) are dimmed.
      app: !!file && file.startsWith('/') && !file.startsWith('/usr/') && line !== null,
    };
  }

  private frame(frameId: number): { threadId: number; level: number } {
    const frame = this.frames.get(frameId);
    if (!frame) throw new RuntimeUnsupported('That frame is gone: the process ran since the stack was read.');
    return frame;
  }

  private handle(handle: Handle): number {
    const id = this.nextId++;
    this.handles.set(id, handle);
    return id;
  }
}

function frameOptions(frame: { threadId: number; level: number }): string[] {
  return ['--thread', String(frame.threadId), '--frame', String(frame.level)];
}
