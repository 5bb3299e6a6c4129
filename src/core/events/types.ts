// The incident events: one typed map from event name to payload. Every feature publishes what a
// timeline would show, at the moment it happens; the guide's timeline, the debugger, the log
// channel and the CLI's --events file listen. Names are dotted and public (a contract: fields may
// be added, never renamed). The list lives in docs/architecture.md, "Events".

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

  /**
   * A health sample worth a line on the timeline: the host's first, the first good one after a
   * failed read (`recovered`), then a crossing of load per CPU 1.0 or memory available 10 %.
   */
  'health.sampled': {
    host: string;
    reason: 'first' | 'recovered' | 'loadHigh' | 'loadNormal' | 'memoryLow' | 'memoryNormal';
    cpus: number;
    load: [number, number, number];
    loadPerCpu: number;
    cpuBusyPercent: number;
    memoryAvailablePercent: number;
  };
  /** A health read failed: once per run of failures with the same message. */
  'health.failed': { host: string; message: string };

  // Logs (src/core/logs, src/views/logs): a follower's life, and excerpts saved from it.
  /** Following began: from the last `lines` lines, from line `fromLine`, or at `offset` where an earlier follower stopped. */
  'log.started': { host: string; path: string; filter?: string; fromLine?: number; lines?: number; offset?: number };
  'log.resumed': { host: string; path: string; offset: number };
  'log.rotated': { host: string; path: string; how: 'renamed' | 'truncated' | 'created'; message: string };
  'log.skipped': { host: string; path: string; bytes?: number; lines?: number; message: string };
  'log.stopped': { host: string; path: string; reason: string };
  /** `lastLine`: the excerpt's newest non-empty line (up to 300 characters), as it came from the host. */
  'log.excerptSaved': { host?: string; path?: string; file: string; lines: number; lastLine?: string };

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

  // --- incident: the incident files, and the hotfix of step 3 (docs/architecture.md, "Incidents") ---
  /** An incident was started: its folder is incidents/<incident>/. */
  'incident.started': { incident: string; title: string; severity: string; hosts: string[] };
  /** A note was added to the timeline: kind is comment, hypothesis, ruled-out or decision. */
  'incident.note': { incident: string; kind: string; text: string };
  'incident.milestone': { incident: string; milestone: string };
  /** A check was ticked or unticked by hand, with why. */
  'incident.checked': { incident: string; step: string; check: string; done: boolean; reason: string };
  /** Past incidents were searched (step 3's "look for similar problems"). */
  'incident.searched': { incident?: string; query: string; found: number };
  'incident.writtenUp': { incident: string; file: string };
  /** A hotfix branch was created from the deployed revision. */
  'hotfix.branchCreated': { incident?: string; branch: string; fromRevision: string };
  'hotfix.committed': { incident?: string; branch: string; commit: string; message: string };
  /** Tests ran on the hotfix without touching production. */
  'hotfix.tested': { incident?: string; command: string; passed: boolean; exitCode: number | null };
  /** The host's deployCommand succeeded with this revision (the hotfix branch's tip) given to it. */
  'hotfix.deployed': { host: string; revision: string; command?: string; branch?: string; incident?: string };
  /** The fix was checked on the host after the deploy: `how` says what was run or compared. */
  'hotfix.verified': { host: string; ok: boolean; how: string; revision?: string };
  // --- hotfix (src/core/hotfix): the hotfix branch reached the branch it was started from ---
  'hotfix.merged': { incident?: string; branch: string; into: string; commit: string };
  // Snapshots (src/core/snapshot): one event per stack snapshot of a live process.
  /** All threads' stacks read at one moment; `pauseMs` is how long the target was held up (0: never). */
  'snapshot.taken': {
    host: string;
    pid: number;
    engine: string;
    /** "cpython 3.11", "native", … */
    runtime: string;
    threads: number;
    pauseMs: number;
    wallMs: number;
  };
  /** A sampling profile finished: how many snapshots, over how long, at what rate. */
  'sample.taken': {
    host: string;
    pid: number;
    engine: string;
    runtime: string;
    samples: number;
    seconds: number;
    hz: number;
    pauseMs: number;
  };
  // debugger (src/core/debug/gdb): an interactive attach's life on a host's process.
  'debug.attached': { host: string; pid: number; engine: 'gdb'; reason: string };
  /** The process stopped where the user sees it (breakpoint, step, pause, signal). */
  'debug.paused': { host: string; pid: number; reason: string; threadId?: number };
  'debug.continued': { host: string; pid: number; reason: string };
  /** The session ended and the process runs on: `reason` says how (detach, heartbeat lost, exit). */
  'debug.detached': { host: string; pid: number; reason: string };
  // debugger, Node processes (src/core/debug/node): a Node process's inspector opened and forwarded.
  /** `signalled` is false when the inspector was already open; `port` is the inspector's on the host. */
  'debug.inspectorOpened': { host: string; pid: number; port: number; signalled: boolean };

  // --- production guard: an action that changes state on a production host was asked about ---
  /** `by` is who answered (the local user), so the timeline says who allowed it. */
  'guard.answered': { host: string; action: string; allowed: boolean; by: string; answer?: string };

  // --- host actions (src/core/hostActions): state changed on a host through the extension ---
  /** A signal was sent to a process (Kill Process); `exitCode` is kill's. */
  'process.signalled': { host: string; pid: number; signal: string; exitCode: number | null };
  /** The host's restartCommand ran. */
  'service.restarted': { host: string; command: string; exitCode: number | null };
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
