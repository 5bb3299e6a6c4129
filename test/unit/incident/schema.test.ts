import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../support/tempDir';
import { validate } from './jsonSchema';
import { investigateCheckout } from './scenario';

const MEDIA = path.join(__dirname, '../../../media');
const incidentSchema = JSON.parse(readFileSync(path.join(MEDIA, 'incident.schema.json'), 'utf8'));
const entrySchema = JSON.parse(readFileSync(path.join(MEDIA, 'timeline-event.schema.json'), 'utf8'));
const TRACE = readFileSync(path.join(__dirname, '../../fixtures/traces/python-chained.txt'), 'utf8');

describe('incident schemas', () => {
  it('accept the files a whole investigation writes', async (t) => {
    const root = tempDir(t, 'ff-schema-');
    const { id, journal } = await investigateCheckout(root, TRACE);
    await journal.close(id);
    const folder = path.join(root, 'incidents', id);
    const incident = JSON.parse(readFileSync(path.join(folder, 'incident.json'), 'utf8'));
    assert.deepEqual(validate(incidentSchema, incident), []);
    const files = readdirSync(path.join(folder, 'timeline'));
    const types = new Set<string>();
    for (const file of files) {
      const entry = JSON.parse(readFileSync(path.join(folder, 'timeline', file), 'utf8'));
      types.add(entry.type);
      assert.deepEqual(validate(entrySchema, entry), [], file);
    }
    assert.deepEqual([...types].sort(), ['check', 'event', 'milestone', 'note', 'pin', 'status'], 'every kind of entry was checked');
  });

  it('reject what the model would never write', async (t) => {
    const root = tempDir(t, 'ff-schema-');
    const { id } = await investigateCheckout(root, TRACE);
    const good = JSON.parse(readFileSync(path.join(root, 'incidents', id, 'incident.json'), 'utf8'));
    const broken = (change: (incident: typeof good) => void) => {
      const copy = structuredClone(good);
      change(copy);
      return validate(incidentSchema, copy);
    };
    assert.deepEqual(
      broken((i) => (i.severity = 'SEV5')),
      ['$.severity: "SEV5" is not one of ["SEV1","SEV2","SEV3","SEV4"]'],
    );
    assert.deepEqual(
      broken((i) => delete i.title),
      ['$: missing title'],
    );
    assert.deepEqual(
      broken((i) => (i.milestones.resolved = 'yesterday')),
      ['$.milestones.resolved: matches 0 of the anyOf branches'],
    );
    assert.deepEqual(
      broken((i) => (i.steps[0].checks[0].how = { by: 'hand', done: true, at: i.createdAt })),
      ['$.steps[0].checks[0].how: matches 0 of the oneOf branches'],
    );
    assert.deepEqual(
      broken((i) => (i.actionItems[0].type = 'blame')),
      ['$.actionItems[0].type: "blame" is not one of ["mitigate","prevent","process"]'],
    );
    assert.deepEqual(
      broken((i) => (i.typo = 1)),
      ['$.typo: not allowed'],
    );
    assert.deepEqual(validate(entrySchema, { id: 'a1', at: '2026-12-02T03:00:00.000Z', type: 'note', kind: 'rant', text: 'x' }), [
      '$: matches 0 of the oneOf branches',
    ]);
  });
});
