import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { compileFilter, hostGrep, matchesFilter, type LogFilter } from '../../../src/core/logs/filter';

const sample = [
  'GET /api/users 200 12ms',
  'POST /api/orders 500 340ms',
  'ERROR timeout after 30s',
  'error: Disk full',
  'a.b literal',
  'aXb',
  'tab\there',
  '',
];

/** The lines the host's grep would pass, run for real in the C locale. */
function grepLines(filter: LogFilter): string[] {
  const args = hostGrep(filter);
  assert.ok(args, `translatable: ${filter.pattern}`);
  try {
    return execFileSync('grep', ['-a', ...args.options, '-e', args.pattern], { input: sample.join('\n') + '\n', env: { LC_ALL: 'C' } })
      .toString()
      .split('\n')
      .slice(0, -1);
  } catch {
    return []; // exit 1: no match
  }
}

test('host grep selects exactly the lines the JavaScript filter matches', () => {
  const filters: LogFilter[] = [
    { pattern: 'a.b' },
    { pattern: 'error', ignoreCase: true },
    { pattern: 'error' },
    { pattern: '/api/\\w+ 5\\d\\d', regex: true },
    { pattern: '^(GET|POST) ', regex: true },
    { pattern: '\\d{2,}ms$', regex: true },
    { pattern: 'a.*b', regex: true },
    { pattern: 'a\\.b', regex: true },
    { pattern: '[^a-z ]{3,}', regex: true },
    { pattern: 'tab\\S+', regex: true },
    { pattern: 'ERROR|error', regex: true, ignoreCase: true },
  ];
  for (const filter of filters) {
    const re = compileFilter(filter);
    assert.deepEqual(
      grepLines(filter),
      sample.filter((l) => matchesFilter(re, l)),
      JSON.stringify(filter),
    );
  }
});

test('patterns grep cannot match the same way stay on the client', () => {
  for (const pattern of ['(?=x)a', '(\\w)\\1', '\\bword\\b', 'a+?', 'a.*?b', '\\n', 'x{', 'é.', '[\\d]', 'tab\\s']) {
    assert.equal(hostGrep({ pattern, regex: true }), undefined, pattern);
  }
  assert.equal(hostGrep({ pattern: 'É', ignoreCase: true }), undefined);
  assert.deepEqual(hostGrep({ pattern: 'É' }), { options: ['-F'], pattern: 'É' });
  assert.equal(hostGrep({ pattern: '' }), undefined);
});

test('host grep never drops a line with non-ASCII text that the filter matches', () => {
  const lines = ['user=zoë login', 'user=bob login', 'a é b', 'x\u00a0y', 'naïve=1', '日本語 ok'];
  const grep = (args: { options: string[]; pattern: string }) => {
    try {
      return execFileSync('grep', ['-a', ...args.options, '-e', args.pattern], { input: lines.join('\n') + '\n', env: { LC_ALL: 'C' } })
        .toString()
        .split('\n')
        .slice(0, -1);
    } catch {
      return [];
    }
  };
  // `.` counts bytes in the C locale: `.{3}` takes "zo" and half of "ë".
  assert.equal(hostGrep({ pattern: 'user=.{3} ', regex: true }), undefined);
  for (const pattern of ['a.b', 'a .?b', '[^a-z ]{3}', 'user=[^ ]{3} ', 'user=\\S{1,3} ', 'x\\sy', 'a\\W{3}b']) {
    assert.equal(hostGrep({ pattern, regex: true }), undefined, pattern);
  }
  const passed = ['user=.+ ', 'user=.* login', 'user=[^ ]{3,} ', 'user=\\S+ ', 'a \\W+b', 'naïve', '[^a-z ]+ ok', '^[^=]*=1$'];
  for (const pattern of passed) {
    const filter: LogFilter = pattern === 'naïve' ? { pattern } : { pattern, regex: true };
    const args = hostGrep(filter);
    assert.ok(args, `translatable: ${pattern}`);
    const re = compileFilter(filter);
    const expected = lines.filter((l) => matchesFilter(re, l));
    assert.ok(expected.length > 0, pattern);
    assert.deepEqual(grep(args), expected, pattern);
  }
});

test('a substring filter matches literally; an invalid regex is a SyntaxError', () => {
  const re = compileFilter({ pattern: 'a.b(' });
  assert.equal(matchesFilter(re, 'xa.b(y'), true);
  assert.equal(matchesFilter(re, 'aXb('), false);
  assert.throws(() => compileFilter({ pattern: 'a(', regex: true }), SyntaxError);
});
