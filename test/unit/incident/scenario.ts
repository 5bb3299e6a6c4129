// One investigation, start to write-up, driven through the real journal, bus and recorder with a
// manual clock and counted ids, so the files it leaves are the same on every run.
import { EventBus } from '../../../src/core/events';
import { IncidentJournal } from '../../../src/core/incident/journal';
import { IncidentRecorder } from '../../../src/core/incident/recorder';
import { IncidentStore } from '../../../src/core/incident/store';
import { traceRecordsIn } from '../../../src/core/incident/traceRecords';
import { ManualClock } from '../../../src/core/util/clock';

export const START = Date.parse('2026-12-02T03:00:00.000Z');

export function countingIds(): () => string {
  let n = 0;
  return () => (++n).toString(16).padStart(8, '0');
}

export function scenarioJournal(root: string, start = START) {
  const clock = new ManualClock(start);
  const bus = new EventBus(clock);
  const journal = new IncidentJournal(new IncidentStore(root, { newId: countingIds() }), { clock, events: bus, who: 'alice' });
  return { clock, bus, journal };
}

const minutes = (n: number) => n * 60_000;

/** The demo's checkout incident, investigated through all four steps; returns its id. */
export async function investigateCheckout(
  root: string,
  trace: string,
): Promise<{ id: string; journal: IncidentJournal; clock: ManualClock }> {
  const { clock, bus, journal } = scenarioJournal(root);
  const { id } = await journal.start({ title: 'Checkout timeouts', severity: 'SEV2', hosts: ['web-1'], commander: 'alice' });
  const recorder = new IncidentRecorder(journal, bus, {
    activeIncident: () => id,
    onError: (error) => {
      throw error;
    },
  });
  const step = async (ms: number, act: () => unknown) => {
    clock.advance(ms);
    await act();
    await recorder.idle();
  };
  await step(minutes(1), () => bus.publish('connection.changed', 'pool', { host: 'web-1', state: 'connected' }));
  await step(1000, () =>
    bus.publish('health.sampled', 'health', {
      host: 'web-1',
      reason: 'first',
      cpus: 2,
      load: [0.9, 0.5, 0.3],
      loadPerCpu: 0.45,
      cpuBusyPercent: 40,
      memoryAvailablePercent: 60,
    }),
  );
  await step(minutes(1), () =>
    bus.publish('health.sampled', 'health', {
      host: 'web-1',
      reason: 'loadHigh',
      cpus: 2,
      load: [4.2, 2.1, 0.8],
      loadPerCpu: 2.1,
      cpuBusyPercent: 99,
      memoryAvailablePercent: 58,
    }),
  );
  await step(1000, () =>
    bus.publish('command.ended', 'pool', {
      host: 'web-1',
      id: 'c1',
      command: 'psql postgres://app:s3cret@db-1/shop -c "select 1"',
      durationMs: 35,
      exitCode: 0,
    }),
  );
  await step(1000, () => bus.publish('log.started', 'follower', { host: 'web-1', path: '/var/log/checkout/app.log', filter: 'ERROR' }));
  await step(minutes(2), () =>
    bus.publish('log.excerptSaved', 'logs', {
      host: 'web-1',
      path: '/var/log/checkout/app.log',
      file: 'evidence/app-log-0304.log',
      lines: 40,
    }),
  );
  await step(1000, () => journal.note(id, 'the coupon regex backtracks on long codes | see <excerpt>', 'hypothesis'));
  const [record] = traceRecordsIn(trace, new Date(clock.now()).toISOString());
  await step(minutes(1), () =>
    bus.publish('trace.analysed', 'traces', {
      fingerprint: record.fingerprint,
      language: record.language,
      exception: record.exception ?? undefined,
      topAppFrame: { function: 'run', file: '/srv/app/releases/4f2a9c1/app/jobs.py', line: 18 },
    }),
  );
  await step(1000, () => journal.note(id, 'database: p99 latency is normal', 'ruled-out'));
  await step(minutes(1), () =>
    bus.publish('frame.opened', 'traces', {
      host: 'web-1',
      remote: { function: 'run', file: '/srv/app/releases/4f2a9c1/app/jobs.py', line: 18 },
      local: { file: 'app/jobs.py', line: 18, revision: '4f2a9c1' },
    }),
  );
  await step(1000, () => journal.milestone(id, 'localized'));
  await step(minutes(1), () => journal.searchPast({ traces: [record] }, id));
  await step(minutes(1), () => journal.setCheckByHand(id, 'localize', 'repeat', false, 'not safe: it would charge customers twice'));
  await step(minutes(2), () =>
    bus.publish('hotfix.branchCreated', 'hotfix', { incident: id, branch: `hotfix/${id}`, fromRevision: '4f2a9c1' }),
  );
  await step(minutes(3), () =>
    bus.publish('hotfix.committed', 'hotfix', {
      incident: id,
      branch: `hotfix/${id}`,
      commit: '0d1f2e3a4b5c6d7e8f90',
      message: 'Coupons: anchor the code regex',
    }),
  );
  await step(minutes(2), () => bus.publish('hotfix.tested', 'hotfix', { incident: id, command: 'npm test', passed: true, exitCode: 0 }));
  await step(minutes(2), () =>
    bus.publish('hotfix.deployed', 'hotfix', { host: 'web-1', revision: '0d1f2e3', command: 'deploy web-1 0d1f2e3' }),
  );
  await step(1000, () => journal.milestone(id, 'mitigated'));
  const decision = await journal.note(id, 'roll the anchored regex out to every host', 'decision');
  await step(minutes(5), () =>
    bus.publish('hotfix.verified', 'hotfix', {
      host: 'web-1',
      ok: true,
      how: 'load per CPU back to 0.4, no timeouts in the log for 5 minutes',
    }),
  );
  await step(1000, () => journal.pin(id, decision.id));
  await step(minutes(10), () => journal.milestone(id, 'resolved'));
  await journal.addActionItem(id, { what: 'Fuzz the coupon parser with long codes', type: 'prevent', owner: 'bob', status: 'open' });
  await journal.addActionItem(id, { what: 'Alert on load per CPU above 1 for 5 minutes', type: 'process', owner: null, status: 'open' });
  recorder.dispose();
  return { id, journal, clock };
}
