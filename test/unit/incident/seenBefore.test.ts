// "Seen before": a trace analysed in VS Code is looked up among past incidents, the match reported,
// and the search put on the active incident's timeline (step 3's "similar" check).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { IncidentEventMap } from '../../../src/core/events';
import type { SearchHit } from '../../../src/core/incident/search';
import { SeenBeforeWatcher } from '../../../src/core/incident/seenBefore';
import { findStackTraces } from '../../../src/core/traces';
import { publishTraceAnalysed } from '../../../src/core/traces/traceEvents';
import { tempDir } from '../../support/tempDir';
import { scenarioJournal } from './scenario';

const FIXTURES = path.join(__dirname, '../../fixtures');
const read = (file: string) => readFileSync(path.join(FIXTURES, file), 'utf8');

/** A past incident with a real trace in a note, and today's incident, active, on a fresh bus. */
async function setUp(root: string, record = true) {
  const past = scenarioJournal(root, Date.parse('2026-10-03T10:00:00.000Z')).journal;
  const checkout = await past.start({ title: 'Checkout timeouts', severity: 'SEV2' });
  await past.note(checkout.id, `the coupon regex backtracks\n${read('traces/python-chained.txt')}`, 'decision');
  const { bus, journal } = scenarioJournal(root);
  const today = await journal.start({ title: 'Checkout slow again', severity: 'SEV2' });
  const found: { trace: IncidentEventMap['trace.analysed']; hits: SearchHit[] }[] = [];
  const watcher = new SeenBeforeWatcher(journal, bus, {
    activeIncident: () => today.id,
    record,
    onFound: (trace, hits) => found.push({ trace, hits }),
    onError: (error) => {
      throw error;
    },
  });
  const analyse = (text: string) => {
    for (const trace of findStackTraces(text)) publishTraceAnalysed(bus, trace, { from: 'the clipboard' });
  };
  return { journal, checkout: checkout.id, today: today.id, found, watcher, analyse };
}

describe('seen before', () => {
  it('names the past incident that had the same trace, once per trace, and ticks "look for similar problems"', async (t) => {
    const { journal, checkout, today, found, watcher, analyse } = await setUp(tempDir(t, 'ff-seen-'));
    analyse(read('traces/python-chained.txt'));
    analyse(read('traces/python-chained.txt'));
    await watcher.idle();
    assert.equal(found.length, 1, 'the same trace analysed twice is looked up once');
    assert.equal(found[0].hits[0].incident.id, checkout);
    assert.match(found[0].hits[0].reasons[0], /^same trace /);
    assert.equal(found[0].trace.exception, 'KeyError', 'the chained trace starts with its KeyError');

    const incident = await journal.store.read(today);
    const similar = incident.steps.flatMap((step) => step.checks).find((check) => check.id === 'similar');
    assert.equal(similar?.done, true);
    const searched = (await journal.store.timeline(today)).filter((entry) => entry.type === 'event' && entry.name === 'incident.searched');
    assert.equal(searched.length, 1);
    watcher.dispose();
  });

  it('reports nothing for a trace no past incident has, and leaves the active incident out', async (t) => {
    const { found, watcher, analyse } = await setUp(tempDir(t, 'ff-seen-'));
    analyse(read('traces/go-panic.txt'));
    await watcher.idle();
    assert.deepEqual(found, []);
    watcher.dispose();
  });

  it('in a Live Share guest window it reports the match but writes nothing to the timeline', async (t) => {
    const { journal, today, found, watcher, analyse } = await setUp(tempDir(t, 'ff-seen-'), false);
    const before = (await journal.store.timeline(today)).length;
    analyse(read('traces/python-chained.txt'));
    await watcher.idle();
    assert.equal(found.length, 1);
    assert.equal((await journal.store.timeline(today)).length, before);
    watcher.dispose();
  });
});
