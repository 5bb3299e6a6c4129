import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { traces } from '../../../src/cli/traces';
import { captureIo } from '../../support/cliIo';

const FIXTURES = path.join(__dirname, '../../fixtures/traces');

async function run(args: string[], input: string | string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const chunks = (Array.isArray(input) ? input : [input]).map((s) => Buffer.from(s));
  const io = captureIo({ stdin: Readable.from(chunks) });
  const code = await traces(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('firefighter traces', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ff-cli-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  for (const file of ['app/jobs.py', 'app/worker.py', 'tests/app/worker.py']) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), '');
  }
  const chained = readFileSync(path.join(FIXTURES, 'python-chained.txt'), 'utf8');

  it('prints one JSON line per trace in the documented shape, with frames mapped under --root', async () => {
    const { code, stdout } = await run(['--json', '--root', root], chained + readFileSync(path.join(FIXTURES, 'go-panic.txt'), 'utf8'));
    assert.equal(code, 0);
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.language),
      ['python', 'go'],
    );
    const python = lines[0];
    assert.match(python.fingerprint, /^[0-9a-f]{16}$/);
    assert.deepEqual(
      python.exceptions.map((e: { type: string }) => e.type),
      ['KeyError', 'app.errors.JobError', 'RuntimeError'],
    );
    assert.deepEqual(python.exceptions[1].frames[0], {
      function: 'run',
      file: '/srv/app/releases/4f2a9c1/app/jobs.py',
      line: 20,
      column: null,
      app: true,
      local: 'app/jobs.py',
      localLine: 20,
      localColumn: null,
    });
    assert.equal(python.exceptions[1].frames[1].local, null, 'the stdlib frame maps nowhere');
    assert.deepEqual(python.exceptions[2].frames[0].candidates, ['app/worker.py', 'tests/app/worker.py']);
    assert.equal(python.exceptions[2].frames[0].local, null);
    // Go's `created by` is a frame like any other.
    assert.equal(lines[1].exceptions[0].frames[2].function, 'net/http.(*Server).Serve');
  });

  it('applies --map rules before guessing from suffixes', async () => {
    const { stdout } = await run(['--json', '--root', root, '--map', `/srv/app/releases/4f2a9c1=${path.join(root, 'tests')}`], chained);
    const [trace] = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(trace.exceptions[2].frames[0].local, 'tests/app/worker.py');
  });

  it('prints readable text: language, fingerprint, exceptions, app and library frames, where each maps', async () => {
    const { code, stdout } = await run(['--root', root], chained);
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.match(lines[0], /^python trace [0-9a-f]{16}$/);
    assert.equal(lines[1], "  KeyError: 'count'");
    assert.equal(lines[2], '    app  run  /srv/app/releases/4f2a9c1/app/jobs.py:18  -> app/jobs.py:18');
    assert.ok(stdout.includes('  while handling the previous: app.errors.JobError: bad payload'));
    assert.ok(stdout.includes('    lib  error  /usr/lib/python3.11/logging/__init__.py:1518  (unmapped)'));
    assert.ok(stdout.includes('(ambiguous: app/worker.py, tests/app/worker.py)'));
  });

  it('finds a trace split across stdin chunks, even mid-character', async () => {
    const bytes = Buffer.from('prefix é\n' + chained);
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    const pieces = [bytes.subarray(0, cut), bytes.subarray(cut, 200), bytes.subarray(200)].map((b) => b.toString('latin1'));
    const io = captureIo({ stdin: Readable.from(pieces.map((p) => Buffer.from(p, 'latin1'))) });
    const code = await traces(['--json'], io);
    assert.equal(code, 0);
    const [trace] = io
      .out()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(trace.exceptions.length, 3);
  });

  it('prints nothing and succeeds when there is no trace', async () => {
    assert.deepEqual(await run([], 'all quiet\nnothing to see\n'), { code: 0, stdout: '', stderr: '' });
  });

  it('exits 2 with the usage on bad arguments', async () => {
    for (const args of [['--bogus'], ['--map', 'no-equals-sign'], ['--map'], ['--root', path.join(root, 'app/jobs.py')], ['--json=yes']]) {
      const { code, stderr } = await run(args, '');
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /usage: firefighter traces/);
    }
  });
});
