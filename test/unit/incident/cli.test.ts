import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { makeIncidentCommand, makeIncidentsCommand, repositoryRoot } from '../../../src/cli/incident';
import { runCli } from '../../../src/cli/main';
import { ManualClock } from '../../../src/core/util/clock';
import { captureIo } from '../../support/cliIo';
import { tempDir } from '../../support/tempDir';
import { countingIds, START } from './scenario';

const FIXTURES = path.join(__dirname, '../../fixtures');

function cli(root: string) {
  const clock = new ManualClock(START);
  const options = { cwd: () => root, clock, newId: countingIds() };
  const incident = makeIncidentCommand(options);
  const incidents = makeIncidentsCommand(options);
  const run = async (command: 'incident' | 'incidents', args: string[], stdin?: string) => {
    const io = captureIo({ stdin: stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]), env: { USER: 'alice' } });
    const code = await (command === 'incident' ? incident : incidents)(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  return { clock, run };
}

describe('firefighter incident', () => {
  it('starts an incident, notes, milestones and writes it up, redacting what it writes', async (t) => {
    const root = tempDir(t, 'ff-cli-incident-');
    const { clock, run } = cli(root);
    const started = await run('incident', [
      'start',
      '--title',
      'Checkout timeouts',
      '--severity',
      'SEV2',
      '--host',
      'web-1',
      '--host',
      'web-2',
      '--commander',
      'alice',
    ]);
    assert.deepEqual(started, { code: 0, out: '2026-12-02-checkout-timeouts\n', err: '' });
    const id = started.out.trim();
    clock.advance(60_000);
    assert.equal((await run('incident', ['note', id, 'retry', 'with', 'password=hunter2', '--kind', 'hypothesis'])).code, 0);
    clock.advance(60_000);
    assert.deepEqual(await run('incident', ['milestone', id, 'mitigated']), {
      code: 0,
      out: `${id} mitigated at 2026-12-02T03:02:00.000Z; status mitigated\n`,
      err: '',
    });
    clock.advance(60_000);
    assert.equal((await run('incident', ['milestone', id, 'resolved'])).code, 0);
    assert.deepEqual(await run('incident', ['action', id, '--what', 'Alert on load per CPU', '--type', 'prevent', '--owner', 'bob']), {
      code: 0,
      out: 'A1\n',
      err: '',
    });
    assert.deepEqual(await run('incident', ['write-up', id]), { code: 0, out: `incidents/${id}/write-up.md\n`, err: '' });

    const shown = await run('incident', ['show', id, '--json']);
    const json = JSON.parse(shown.out);
    assert.equal(json.status, 'resolved');
    assert.deepEqual(json.hosts, ['web-1', 'web-2']);
    assert.deepEqual(
      json.timeline.map((e: { type: string; kind?: string; text?: string; name?: string }) => e.name ?? e.text ?? e.type),
      ['milestone', 'retry with password=[REDACTED]', 'milestone', 'milestone', 'incident.writtenUp'],
    );
    assert.equal(json.timeline[1].who, 'alice');
    const folder = path.join(root, 'incidents', id);
    for (const file of [...readdirSync(path.join(folder, 'timeline')).map((f) => `timeline/${f}`), 'incident.json', 'write-up.md']) {
      assert.ok(!readFileSync(path.join(folder, file), 'utf8').includes('hunter2'), file);
    }
    const text = (await run('incident', ['show', id])).out;
    assert.match(text, /^2026-12-02-checkout-timeouts {2}Checkout timeouts\nSEV2 · resolved · commander alice · hosts web-1, web-2\n/);
    assert.match(
      text,
      /> Identify the problem\n {4}\[ \] Connect to the production environment\n(?: {4}\[ \] .*\n){3} {4}next: Connect to a host from the Hosts view\.\n {2}Reproduce and localize\n/,
    );
    assert.match(text, /\[x\] Write it up for the team {2}\(incident\.writtenUp\)/);
    assert.match(text, /Action items:\n {2}A1 {2}prevent {2}open {2}bob {8}Alert on load per CPU\n/);
    assert.match(text, /2026-12-02 03:01:00 UTC {2}Hypothesis: retry with password=\[REDACTED\] \(alice\) {2}\[00000002\]/);
  });

  it('keeps a secret in the title out of the folder name too, and refuses an oversized note on stdin', async (t) => {
    const root = tempDir(t, 'ff-cli-incident-');
    const { run } = cli(root);
    const started = await run('incident', ['start', '--title', 'Leaked api_key=sk9f8e7d6c in logs', '--severity', 'SEV1']);
    assert.equal(started.out, '2026-12-02-leaked-api-key-redacted-in-logs\n');
    const id = started.out.trim();
    assert.equal(JSON.parse((await run('incident', ['show', id, '--json'])).out).title, 'Leaked api_key=[REDACTED] in logs');
    const big = await run('incident', ['note', id, '-'], 'x'.repeat(1024 * 1024 + 1));
    assert.equal(big.code, 1);
    assert.match(big.err, /over 1048576 bytes: save the text under the incident's evidence\/ folder/);
  });

  it('refuses a milestone that would go backwards, and says why', async (t) => {
    const root = tempDir(t, 'ff-cli-incident-');
    const { clock, run } = cli(root);
    const id = (await run('incident', ['start', '--title', 'Slow', '--severity', 'SEV3'])).out.trim();
    clock.advance(600_000);
    await run('incident', ['milestone', id, 'mitigated']);
    const late = await run('incident', ['milestone', id, 'localized', '--at', '2026-12-02T03:20:00Z']);
    assert.equal(late.code, 1);
    assert.equal(
      late.err,
      'firefighter incident: localized at 2026-12-02T03:20:00.000Z would be after mitigated at 2026-12-02T03:10:00.000Z: milestones cannot go backwards\n',
    );
    assert.equal((await run('incident', ['milestone', id, 'localized', '--at', '2026-12-02T03:05:00Z'])).code, 0);
  });

  it('exits 2 with the usage on bad arguments, 1 on an unknown incident', async (t) => {
    const root = tempDir(t, 'ff-cli-incident-');
    const { run } = cli(root);
    for (const args of [
      [],
      ['start', '--severity', 'SEV2'],
      ['start', '--title', 'x', '--severity', 'SEV5'],
      ['start', '--title'],
      ['note', '2026-12-02-x'],
      ['milestone', '2026-12-02-x', 'done'],
      ['milestone', '2026-12-02-x', 'resolved', '--at', 'yesterday'],
      ['show'],
      ['frobnicate'],
      ['show', 'a', '--bogus'],
      ['action', '2026-12-02-x', '--what', 'x', '--type', 'blame'],
      ['action', '2026-12-02-x', '--type', 'prevent'],
    ]) {
      const { code, err } = await run('incident', args);
      assert.equal(code, 2, args.join(' '));
      assert.match(err, /usage: firefighter incident start/);
    }
    const missing = await run('incident', ['show', '2026-01-01-nothing']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no incident "2026-01-01-nothing" in .*incidents: run `firefighter incidents` to list them/);
  });

  it('lists incidents and finds the one with the same trace, read from a note piped on stdin', async (t) => {
    const root = tempDir(t, 'ff-cli-incident-');
    const { clock, run } = cli(root);
    const jobs = (await run('incident', ['start', '--title', 'Jobs crash', '--severity', 'SEV2'])).out.trim();
    assert.equal(
      (await run('incident', ['note', jobs, '-'], readFileSync(path.join(FIXTURES, 'traces/python-chained.txt'), 'utf8'))).code,
      0,
    );
    clock.advance(86_400_000);
    const other = (await run('incident', ['start', '--title', 'Disk full', '--severity', 'SEV4'])).out.trim();
    assert.deepEqual((await run('incidents', [])).out, `${other}  SEV4  active     Disk full\n${jobs}  SEV2  active     Jobs crash\n`);

    const similar = await run('incidents', ['--similar-to', path.join(FIXTURES, 'incident/python-similar.txt'), '--json']);
    assert.equal(similar.code, 0);
    const hits = similar.out
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      hits.map((h) => h.id),
      [jobs],
    );
    assert.match(hits[0].reasons[0], /^shares 2 app frames/);
    assert.equal((await run('incidents', ['--text', 'disk'])).out, `  1.00  ${other}  Disk full  (words: disk)\n`);

    const none = await run('incidents', ['--similar-to', path.join(FIXTURES, 'incident/redaction-corpus.json')]);
    assert.equal(none.code, 1);
    assert.match(none.err, /no stack trace found in .*redaction-corpus\.json/);
  });

  it('works from a subfolder of the repository, and is dispatched by the firefighter command', async (t) => {
    const root = tempDir(t, 'ff-cli-incident-');
    mkdirSync(path.join(root, '.git'));
    mkdirSync(path.join(root, 'src', 'app'), { recursive: true });
    assert.equal(repositoryRoot(path.join(root, 'src', 'app')), root);
    const cwd = process.cwd();
    process.chdir(path.join(root, 'src', 'app'));
    t.after(() => process.chdir(cwd));
    const io = captureIo();
    assert.equal(await runCli(['incident', 'start', '--title', 'From a subfolder', '--severity', 'SEV4'], io), 0);
    assert.match(io.out(), /^\d{4}-\d{2}-\d{2}-from-a-subfolder\n$/);
    assert.deepEqual(readdirSync(path.join(root, 'incidents')), [io.out().trim()]);
  });
});
