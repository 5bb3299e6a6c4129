import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeListedLog,
  describeLogFile,
  excerptBaseName,
  excerptFileNames,
  formatFilter,
  keyAction,
  logGroupName,
  mergeLogLists,
  parseFilterText,
  parseLineCount,
  selectedLines,
  sourcePrefixes,
  tailGroups,
  typedPath,
} from '../../../src/views/logs/model';

describe('filter text', () => {
  it('reads empty as no filter, /re/ and /re/i as regular expressions, anything else as a substring', () => {
    assert.deepEqual(parseFilterText(''), { filter: undefined });
    assert.deepEqual(parseFilterText('ERROR'), { filter: { pattern: 'ERROR' } });
    assert.deepEqual(parseFilterText('/timeout|5\\d\\d/'), { filter: { pattern: 'timeout|5\\d\\d', regex: true, ignoreCase: false } });
    assert.deepEqual(parseFilterText('/error/i'), { filter: { pattern: 'error', regex: true, ignoreCase: true } });
    // A path is a substring, not a regex: it does not end with a slash.
    assert.deepEqual(parseFilterText('/api/users'), { filter: { pattern: '/api/users' } });
    assert.deepEqual(parseFilterText('//'), { filter: { pattern: '//' } });
  });

  it('says why a regular expression is invalid', () => {
    const parsed = parseFilterText('/a(b/');
    assert.ok('error' in parsed);
    assert.match(parsed.error, /^Not a valid regular expression: .*/);
  });

  it('formats a filter so that it reads back the same', () => {
    for (const text of ['', 'ERROR', '/x+y/', '/err/i']) {
      const parsed = parseFilterText(text);
      assert.ok('filter' in parsed);
      assert.equal(formatFilter(parsed.filter), text);
    }
  });
});

describe('picker and prompts', () => {
  it('offers a typed value as a path only when it looks like one', () => {
    assert.equal(typedPath(' /srv/app/app.log '), '/srv/app/app.log');
    assert.equal(typedPath('~/logs/x.log'), '~/logs/x.log');
    assert.equal(typedPath('./x.log'), './x.log');
    assert.equal(typedPath('app'), undefined);
    assert.equal(typedPath('/'), undefined);
    assert.equal(typedPath(''), undefined);
  });

  it('describes a file by size and age, marking one the ssh user cannot read', () => {
    const now = Date.UTC(2024, 4, 1, 3, 0, 0);
    assert.equal(
      describeLogFile({ path: '/a.log', sizeBytes: 12_900_000, modifiedMs: now - 5 * 60_000, readable: true }, now),
      '12 MiB · 5 min ago',
    );
    assert.equal(
      describeLogFile({ path: '/b.log', sizeBytes: 512, modifiedMs: now - 3 * 86_400_000, readable: false }, now),
      '512 B · 3 days ago · not readable by the ssh user',
    );
    assert.equal(describeLogFile({ path: '/c.log', sizeBytes: 1536, modifiedMs: now, readable: true }, now), '1.5 KiB · just now');
  });

  it('reads a line count as a whole number from 1', () => {
    assert.equal(parseLineCount(' 200 '), 200);
    assert.ok(typeof parseLineCount('0') === 'object');
    assert.ok(typeof parseLineCount('-3') === 'object');
    assert.ok(typeof parseLineCount('1e3') === 'object');
  });

  it('maps terminal keys to actions and ignores the rest', () => {
    assert.equal(keyAction('p'), 'togglePause');
    assert.equal(keyAction(' '), 'togglePause');
    assert.equal(keyAction('/'), 'changeFilter');
    assert.equal(keyAction('o'), 'openInEditor');
    assert.equal(keyAction('s'), 'saveExcerpt');
    assert.equal(keyAction('?'), 'help');
    assert.equal(keyAction('\x03'), 'close');
    assert.equal(keyAction('x'), undefined);
    assert.equal(keyAction('constructor'), undefined);
    assert.equal(keyAction('\x1b[A'), undefined);
  });

  it('takes the whole lines a selection touches, not the line it ends at the start of', () => {
    assert.deepEqual(selectedLines({ line: 2 }, { line: 2, character: 5 }), [2, 3]);
    assert.deepEqual(selectedLines({ line: 2 }, { line: 4, character: 0 }), [2, 4]);
    assert.deepEqual(selectedLines({ line: 2 }, { line: 4, character: 1 }), [2, 5]);
  });
});

describe('names', () => {
  const onWeb1 = (paths: string[]) => paths.map((path) => ({ host: 'web-1', path }));

  it('names a log terminal with the host as a part of its own', () => {
    assert.equal(logGroupName(onWeb1(['/var/log/app/app.log'])), 'log · web-1 · app.log');
    assert.equal(logGroupName(onWeb1(['/a.log', '/b.log', '/c.log'])), 'log · web-1 · 3 files');
  });

  it('prefixes merged lines with host and the shortest suffix that tells files apart, aligned', () => {
    assert.deepEqual(sourcePrefixes(onWeb1(['/var/log/app.log', '/var/log/nginx/access.log'])), [
      'web-1 app.log    │ ',
      'web-1 access.log │ ',
    ]);
    assert.deepEqual(sourcePrefixes(onWeb1(['/srv/a/app.log', '/srv/b/app.log'])), ['web-1 a/app.log │ ', 'web-1 b/app.log │ ']);
  });

  it('names an excerpt after host, file and local time, and never the same name twice', () => {
    const when = new Date(2024, 4, 1, 3, 15, 22);
    assert.equal(excerptBaseName('web-1', '/var/log/checkout/app.log', when), 'web-1-app-20240501-031522');
    assert.equal(excerptBaseName('db 1', '/var/log/syslog', when), 'db-1-syslog-20240501-031522');
    assert.equal(excerptBaseName('web-1', '3 files', when), 'web-1-3-files-20240501-031522');
    assert.deepEqual([...excerptFileNames('x', 3)], ['x.log', 'x-2.log', 'x-3.log']);
  });
});

describe('several hosts', () => {
  const paths = ['/var/log/app.log', '/var/log/worker.log'];

  it('follows every chosen path on every host: one terminal each, or all in one', () => {
    assert.deepEqual(tailGroups(['web-1', 'web-2'], paths, false), [
      [{ host: 'web-1', path: '/var/log/app.log' }],
      [{ host: 'web-1', path: '/var/log/worker.log' }],
      [{ host: 'web-2', path: '/var/log/app.log' }],
      [{ host: 'web-2', path: '/var/log/worker.log' }],
    ]);
    assert.deepEqual(tailGroups(['web-1', 'web-2'], ['/var/log/app.log'], true), [
      [
        { host: 'web-1', path: '/var/log/app.log' },
        { host: 'web-2', path: '/var/log/app.log' },
      ],
    ]);
    // One host: as before, a terminal per file or one for all of them.
    assert.deepEqual(tailGroups(['web-1'], paths, true), [paths.map((path) => ({ host: 'web-1', path }))]);
    assert.deepEqual(tailGroups(['web-1'], paths, false).length, 2);
  });

  it('prefixes merged lines with the host and the file, aligned', () => {
    assert.deepEqual(
      sourcePrefixes([
        { host: 'web-1', path: '/var/log/app.log' },
        { host: 'web-10', path: '/var/log/app.log' },
      ]),
      ['web-1  app.log │ ', 'web-10 app.log │ '],
    );
    assert.deepEqual(sourcePrefixes(tailGroups(['web-1', 'db-1'], paths, true)[0]), [
      'web-1 app.log    │ ',
      'web-1 worker.log │ ',
      'db-1  app.log    │ ',
      'db-1  worker.log │ ',
    ]);
    assert.deepEqual(sourcePrefixes([{ host: 'web-1', path: '/var/log/app.log' }]), ['']);
  });

  it('names a terminal over several hosts after how many, and the file or how many files', () => {
    assert.equal(logGroupName([{ host: 'web-1', path: '/var/log/app.log' }]), 'log · web-1 · app.log');
    assert.equal(logGroupName(paths.map((path) => ({ host: 'web-1', path }))), 'log · web-1 · 2 files');
    assert.equal(logGroupName(tailGroups(['web-1', 'web-2'], ['/var/log/app.log'], true)[0]), 'log · 2 hosts · app.log');
    assert.equal(logGroupName(tailGroups(['web-1', 'web-2'], paths, true)[0]), 'log · 2 hosts · 4 files');
  });
});

describe('log lists of several hosts', () => {
  const now = Date.UTC(2024, 4, 1, 12, 0, 0);
  const entry = (path: string, minutesAgo: number, sizeBytes = 1024) => ({
    path,
    sizeBytes,
    modifiedMs: now - minutesAgo * 60_000,
    readable: true,
  });

  it('shows each path once, newest copy first, and says which hosts have a file the others lack', () => {
    const listed = new Map([
      ['web-1', [entry('/var/log/app.log', 1), entry('/var/log/old.log', 90)]],
      ['web-2', [entry('/var/log/app.log', 0, 4096), entry('/var/log/worker.log', 5)]],
    ]);
    const merged = mergeLogLists(['web-1', 'web-2', 'down-1'], listed);
    assert.deepEqual(
      merged.map((log) => [log.path, log.hosts]),
      [
        ['/var/log/app.log', ['web-1', 'web-2']],
        ['/var/log/worker.log', ['web-2']],
        ['/var/log/old.log', ['web-1']],
      ],
    );
    assert.equal(merged[0].entry.sizeBytes, 4096, "the newest copy's size");
    assert.equal(describeListedLog(merged[1], 2, now), '1.0 KiB · 5 min ago · only on web-2');
    assert.equal(describeListedLog(merged[0], 2, now), '4.0 KiB · just now');
  });

  it('lists what has answered so far, in the order the hosts were selected', () => {
    assert.deepEqual(mergeLogLists(['web-1', 'web-2'], new Map()), []);
    const both = mergeLogLists(
      ['web-2', 'web-1'],
      new Map([
        ['web-1', [entry('/a.log', 1)]],
        ['web-2', [entry('/a.log', 1)]],
      ]),
    );
    assert.deepEqual(both[0].hosts, ['web-2', 'web-1']);
  });
});
