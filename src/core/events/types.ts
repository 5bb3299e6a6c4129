// The incident events: one typed map from event name to payload. Every feature publishes what a
// timeline would show, at the moment it happens; the guide's timeline, the debugger, the log
// channel and the CLI's --events file listen. Names are dotted and public (DESIGN.md's events
// contract): fields may be added, never renamed. The list lives in docs/architecture.md, "Events".

/** Why a command has no exit code: a signal, a timeout, a lost connection. */
export interface CommandOutcome {
  exitCode: number | null;
  signal?: string;
  error?: string;
}

/** A location in a stack trace, as the traces JSON has it. */
export interface EventFrame {
  function: string;
  file: string | null;
  line: number | null;
}

export interface IncidentEventMap {
  /** A command started on a host (`id` pairs it with its command.ended). */
  'command.started': { host: string; id: string; command: string };
  'command.ended': { host: string; id: string; command: string; durationMs: number } & CommandOutcome;

  /** A host's connection changed: `kind` is the SshError kind when it failed. */
  'connection.changed': {
    host: string;
    state: 'connecting' | 'connected' | 'failed' | 'disconnected' | 'idle';
    kind?: string;
    message?: string;
    /** The user asked for it (Disconnect), as opposed to an idle close or a drop. */
    byUser?: boolean;
  };

  /** A health sample worth a line on the timeline: the first one, then a change worth noting. */
  'health.sampled': {
    host: string;
    reason: 'first' | 'loadHigh' | 'loadNormal' | 'memoryLow' | 'memoryNormal';
    cpus: number;
    load: [number, number, number];
    loadPerCpu: number;
    cpuBusyPercent: number;
    memoryAvailablePercent: number;
  };
  'health.failed': { host: string; message: string };

  'log.started': { host: string; path: string; filter?: string; fromLine?: number };
  'log.resumed': { host: string; path: string; offset: number };
  'log.rotated': { host: string; path: string; how: 'renamed' | 'truncated' | 'created'; message: string };
  'log.skipped': { host: string; path: string; bytes?: number; lines?: number; message: string };
  'log.stopped': { host: string; path: string; reason: string };
  'log.excerptSaved': { host?: string; path?: string; file: string; lines: number };

  // traces (src/core/traces/traceEvents.ts, src/views/traces)
  /** A stack trace analysed: `exception` is its first exception type, `from` where its text came from. */
  'trace.analysed': { host?: string; fingerprint: string; language: string; exception?: string; topAppFrame?: EventFrame; from?: string };
  'frame.opened': {
    host?: string;
    remote: EventFrame;
    /** The workspace file:line it mapped to (`revision`: opened at the host's deployed commit), or null with `reason`. */
    local: { file: string; line: number; revision?: string } | null;
    reason?: string;
  };
}

export type IncidentEventName = keyof IncidentEventMap;

/** What every event carries besides its payload. */
export interface EventEnvelope<N extends IncidentEventName = IncidentEventName> {
  name: N;
  /** Epoch milliseconds. */
  at: number;
  /** The feature that published it: "pool", "health", "follower", "traces", … */
  source: string;
}

export type IncidentEvent<N extends IncidentEventName = IncidentEventName> = N extends IncidentEventName
  ? EventEnvelope<N> & IncidentEventMap[N]
  : never;
