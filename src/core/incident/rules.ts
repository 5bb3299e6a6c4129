// Which event ticks which check of the four steps (docs/architecture.md, "Incidents: event → check").
// Events of other features arrive by name, so a feature that is not merged yet (snapshots, samples)
// needs no import here: its event ticks its check once it is published.

/** An event as the timeline keeps it: its name and its own fields. */
export interface RecordedEvent {
  name: string;
  data: Record<string, unknown>;
}

interface CheckRule {
  event: string;
  step: string;
  check: string;
  /** Ticks only when this holds; every event of the name ticks when absent. */
  when?: (data: Record<string, unknown>) => boolean;
}

const CHECK_RULES: readonly CheckRule[] = [
  { event: 'connection.changed', step: 'identify', check: 'connect', when: (d) => d.state === 'connected' },
  { event: 'health.sampled', step: 'identify', check: 'live-stats' },
  { event: 'health.sampled', step: 'identify', check: 'load-high', when: (d) => d.reason === 'loadHigh' },
  { event: 'log.started', step: 'identify', check: 'logs' },
  { event: 'log.excerptSaved', step: 'localize', check: 'service' },
  { event: 'trace.analysed', step: 'localize', check: 'module' },
  { event: 'trace.analysed', step: 'localize', check: 'method', when: (d) => d.topAppFrame != null },
  { event: 'snapshot.taken', step: 'localize', check: 'method' },
  { event: 'sample.taken', step: 'localize', check: 'method' },
  { event: 'frame.opened', step: 'localize', check: 'statement', when: (d) => d.local != null },
  { event: 'incident.searched', step: 'hotfix', check: 'similar' },
  { event: 'hotfix.branchCreated', step: 'hotfix', check: 'change' },
  { event: 'hotfix.committed', step: 'hotfix', check: 'change' },
  { event: 'hotfix.tested', step: 'hotfix', check: 'test', when: (d) => d.passed === true },
  { event: 'hotfix.deployed', step: 'hotfix', check: 'deploy' },
  { event: 'hotfix.verified', step: 'hotfix', check: 'verify', when: (d) => d.ok === true },
  { event: 'incident.writtenUp', step: 'write-up', check: 'write-up' },
];

/** The checks an event ticks. */
export function checksTickedBy(event: RecordedEvent): { step: string; check: string }[] {
  return CHECK_RULES.filter((rule) => rule.event === event.name && (!rule.when || rule.when(event.data))).map(({ step, check }) => ({
    step,
    check,
  }));
}
