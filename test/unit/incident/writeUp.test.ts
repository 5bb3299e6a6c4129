import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { renderWriteUp } from '../../../src/core/incident/writeUp';
import { tempDir } from '../../support/tempDir';
import { investigateCheckout } from './scenario';

const FIXTURES = path.join(__dirname, '../../fixtures');
const TRACE = readFileSync(path.join(FIXTURES, 'traces/python-chained.txt'), 'utf8');
const GOLDEN = path.join(FIXTURES, 'incident/write-up.golden.md');

/** Set UPDATE_GOLDEN=1 to rewrite the golden file after a deliberate change, then read the diff. */
function assertGolden(actual: string, file: string): void {
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

describe('write-up', () => {
  it('renders the SRE postmortem shape from a whole investigation (golden file)', async (t) => {
    const root = tempDir(t, 'ff-writeup-');
    const { id, journal } = await investigateCheckout(root, TRACE);
    const file = await journal.writeUp(id);
    assert.equal(file, path.join(root, 'incidents', id, 'write-up.md'));
    const text = readFileSync(file, 'utf8');
    assertGolden(text, GOLDEN);
    assert.ok(!text.includes('s3cret'), 'the password in a recorded command is redacted');
    assert.ok(text.includes('&lt;excerpt&gt;') && text.includes('\\|'), 'note text cannot open HTML or break the table');
    const incident = await journal.store.read(id);
    assert.equal(incident.steps[3].checks[0].done, true, 'writing it up ticks its check');
  });

  it('regenerates only the generated sections: hand-written text survives, a deleted section stays deleted', async (t) => {
    const root = tempDir(t, 'ff-writeup-');
    const { id, journal, clock } = await investigateCheckout(root, TRACE);
    const file = await journal.writeUp(id);
    const edited = readFileSync(file, 'utf8')
      .replace(
        '_What happened, to whom and for how long, in two or three sentences._',
        'Checkout timed out for 31 minutes.\n\nMore by hand.',
      )
      .replace(/<!-- firefighter:begin detection -->[\s\S]*?<!-- firefighter:end detection -->\n/, '')
      .replace('### Where we got lucky\n\n_…_', '### Where we got lucky\n\nIt was a quiet night.');
    writeFileSync(file, edited);
    clock.advance(60_000);
    await journal.note(id, 'second look: the regex was added in 4f2a9c1', 'decision');
    const again = readFileSync(await journal.writeUp(id), 'utf8');
    assert.ok(again.includes('Checkout timed out for 31 minutes.\n\nMore by hand.'));
    assert.ok(again.includes('It was a quiet night.'));
    assert.ok(!again.includes('firefighter:begin detection'));
    assert.ok(again.includes('- Decision: second look: the regex was added in 4f2a9c1'));
    assert.equal(again.match(/firefighter:begin timeline/g)?.length, 1);
    assert.equal(
      renderWriteUp({ incident: await journal.store.read(id), timeline: await journal.store.timeline(id) }, again),
      again,
      'nothing new, nothing changes',
    );
  });
});
