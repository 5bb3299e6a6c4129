// Successive snapshots of one process, as a debug session takes them (Continue takes the next):
// the first one probes and chooses the engine (takeSnapshot, one round trip); for a CPython
// target a reader is then started in the background and kept alive on the pooled connection, so
// that each further snapshot is one request on its stdin, without an interpreter start or a
// probe. dispose() ends it; nothing stays on the host (docs/architecture.md, "Snapshots: CPython").
import type { RemoteRunner } from '../ssh/remote';
import { PythonStacksReader, type PythonReaderOptions } from './pythonReader';
import { snapshotAgain, takeSnapshot, type SnapshotTarget, type TakeSnapshotOptions } from './snapshot';
import type { EngineName, Snapshot } from './types';

export interface SnapshotSessionOptions extends TakeSnapshotOptions {
  /** Options of the kept reader (the interpreter, how long it may sit idle on the host). */
  readerOptions?: PythonReaderOptions;
}

const MAX_STARTS = 3;

export class SnapshotSession {
  private chosen: { process: SnapshotTarget; engine: EngineName } | undefined;
  private reader: Promise<PythonStacksReader | undefined> | undefined;
  private disposed = false;
  /** Readers started; past MAX_STARTS (the host keeps refusing or ending them) snapshots go one command each. */
  private starts = 0;

  constructor(
    private readonly runner: RemoteRunner,
    readonly pid: number,
    private readonly options: SnapshotSessionOptions = {},
  ) {}

  /** The engine the first snapshot chose (undefined before it). */
  get engine(): EngineName | undefined {
    return this.chosen?.engine;
  }

  /** The next snapshot of the process. */
  async take(): Promise<Snapshot> {
    if (this.disposed) throw new Error(`the snapshot session of process ${this.pid} on ${this.runner.host} has ended`);
    const options: TakeSnapshotOptions = {
      engine: this.options.engine,
      events: this.options.events,
      clock: this.options.clock,
      toolTimeoutSeconds: this.options.toolTimeoutSeconds,
    };
    if (!this.chosen) {
      const first = await takeSnapshot(this.runner, this.pid, options);
      this.chosen = { process: first.process, engine: first.engine };
      if (first.engine === 'python') this.startReader();
      return first;
    }
    const { process, engine } = this.chosen;
    const reader = engine === 'python' ? await this.liveReader() : undefined;
    if (reader) {
      try {
        return await snapshotAgain(this.runner, process, engine, { ...options, reader });
      } catch (error) {
        // the reader's own answer (no such process, …) stands; a reader that ended is replaced
        if (reader.alive) throw error;
      }
      this.startReader();
    }
    return snapshotAgain(this.runner, process, engine, options);
  }

  /** Ends the kept reader (its stdin ends and its channel closes, so it exits on the host). */
  dispose(): void {
    this.disposed = true;
    void this.reader?.then((r) => r?.close());
    this.reader = undefined;
  }

  private startReader(): void {
    if (this.disposed || this.starts >= MAX_STARTS) return;
    this.starts++;
    const previous = this.reader;
    void previous?.then((r) => r?.close());
    this.reader = PythonStacksReader.start(this.runner, this.pid, this.options.readerOptions).then(
      (reader) => {
        if (this.disposed) reader.close();
        return reader;
      },
      () => undefined, // could not start one: snapshots go one command each
    );
  }

  /** The kept reader when it still runs; one that ended is replaced for the snapshot after this one. */
  private async liveReader(): Promise<PythonStacksReader | undefined> {
    const reader = await this.reader;
    if (reader?.alive) return reader;
    this.startReader();
    return undefined;
  }
}
