import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { frameSimilarity, MIN_FRAME_SIMILARITY, searchIncidents } from '../../../src/core/incident/search';
import { IncidentStore } from '../../../src/core/incident/store';
import { traceRecordsIn } from '../../../src/core/incident/traceRecords';
import { tempDir } from '../../support/tempDir';
import { scenarioJournal } from './scenario';

const FIXTURES = path.join(__dirname, '../../fixtures');
const read = (file: string) => readFileSync(path.join(FIXTURES, file), 'utf8');

/** Three past incidents, each with a real trace pasted into a note. */
async function registry(root: string): Promise<Record<string, string>> {
  const past = async (date: string, title: string, note: string, trace: string) => {
    const { journal } = scenarioJournal(root, Date.parse(`${date}T10:00:00.000Z`));
    const { id } = await journal.start({ title, severity: 'SEV2' });
    await journal.note(id, `${note}\n${trace}`, 'decision');
    return id;
  };
  return {
    jobs: await past('2026-11-14', 'Jobs crash on bad payload', 'the importer sends counts as strings', read('traces/python-chained.txt')),
    orders: await past('2026-09-01', 'Orders API nil pointer', 'service constructed without its repository', read('traces/go-panic.txt')),
    checkout: await past('2026-10-03', 'Checkout timeouts', 'the coupon regex backtracks on long codes', read('traces/java-caused-by.log')),
  };
}

describe('past incidents', () => {
  it('finds the incident with the same trace first', async (t) => {
    const root = tempDir(t, 'ff-search-');
    const ids = await registry(root);
    const hits = await searchIncidents(new IncidentStore(root), { traces: traceRecordsIn(read('traces/python-chained.txt'), '') });
    assert.equal(hits[0].incident.id, ids.jobs);
    assert.match(hits[0].reasons[0], /^same trace [0-9a-f]{16}$/);
    assert.ok(
      hits.every((hit) => hit.incident.id === ids.jobs),
      'the other traces share nothing with it',
    );
  });

  it('finds a trace with another fingerprint by the app frames it shares', async (t) => {
    const root = tempDir(t, 'ff-search-');
    const ids = await registry(root);
    const similar = traceRecordsIn(read('incident/python-similar.txt'), '');
    assert.notEqual(similar[0].fingerprint, traceRecordsIn(read('traces/python-chained.txt'), '')[0].fingerprint);
    const [hit, ...rest] = await searchIncidents(new IncidentStore(root), { traces: similar });
    assert.equal(hit.incident.id, ids.jobs);
    assert.match(hit.reasons[0], /^shares \d+ app frames \(run@jobs\.py/);
    assert.ok(hit.score < 100 && hit.score >= 10 * MIN_FRAME_SIMILARITY);
    assert.deepEqual(rest, []);
  });

  it('finds incidents by words, the title counting double, and ranks a trace match above words', async (t) => {
    const root = tempDir(t, 'ff-search-');
    const ids = await registry(root);
    const store = new IncidentStore(root);
    const byWords = await searchIncidents(store, { text: 'Coupon regex' });
    assert.deepEqual(
      byWords.map((hit) => hit.incident.id),
      [ids.checkout],
    );
    assert.deepEqual(byWords[0].reasons, ['words: coupon, regex']);
    // "orders" is in the orders incident's title and in the checkout trace's frames (OrderService…): title first.
    const orders = await searchIncidents(store, { text: 'orders' });
    assert.equal(orders[0].incident.id, ids.orders);
    const both = await searchIncidents(store, { text: 'coupon regex timeouts', traces: traceRecordsIn(read('traces/go-panic.txt'), '') });
    assert.deepEqual(
      both.map((hit) => hit.incident.id),
      [ids.orders, ids.checkout],
    );
    assert.deepEqual(await searchIncidents(store, { text: 'coupon', exclude: ids.checkout }), []);
    assert.deepEqual(await searchIncidents(store, { text: 'nothing matches this' }), []);
  });

  it('measures frame similarity as shared over all distinct frames', () => {
    assert.equal(frameSimilarity(['a@x', 'b@y'], ['a@x', 'b@y']), 1);
    assert.equal(frameSimilarity(['a@x', 'b@y'], ['b@y', 'c@z']), 1 / 3);
    assert.equal(frameSimilarity(['a@x'], ['c@z']), 0);
    assert.equal(frameSimilarity([], []), 0);
  });
});
