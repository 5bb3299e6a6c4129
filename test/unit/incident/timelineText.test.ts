// The timeline's lines for the production guard, host actions and excerpts: host text stays data
// (control sequences removed, markup left as characters for the panel to show as text).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TimelineEntry } from '../../../src/core/incident/timeline';
import { entryText } from '../../../src/core/incident/timelineText';

const event = (name: string, data: Record<string, unknown>): TimelineEntry => ({
  type: 'event',
  id: 'e1',
  at: '2026-12-02T03:00:00.000Z',
  name,
  source: 'test',
  host: 'web-1',
  data,
});

test('guard answers, signals, restarts, deploys and verifies read as sentences', () => {
  const text = (name: string, data: Record<string, unknown>) => entryText(event(name, data))?.text;
  assert.equal(
    text('guard.answered', { host: 'web-1', action: 'deploy hotfix/x (abc1234)', allowed: true, by: 'ana' }),
    'Production guard: deploy hotfix/x (abc1234) allowed by ana',
  );
  assert.equal(
    text('guard.answered', { host: 'web-1', action: 'send SIGKILL to 42', allowed: false, by: 'bo' }),
    'Production guard: send SIGKILL to 42 refused by bo',
  );
  assert.equal(
    text('process.signalled', { host: 'web-1', pid: 42, signal: 'SIGTERM', exitCode: 0 }),
    'Sent SIGTERM to pid 42 (kill exit 0)',
  );
  assert.equal(
    text('service.restarted', { host: 'web-1', command: 'systemctl restart app', exitCode: 0 }),
    'Restarted the service with `systemctl restart app` (exit 0)',
  );
  assert.equal(text('hotfix.deployed', { host: 'web-1', revision: 'abc', command: 'deploy' }), 'Deployed abc with `deploy`');
  assert.equal(text('hotfix.verified', { host: 'web-1', ok: true, how: 'web-1 runs abc' }), 'Verified fixed: web-1 runs abc');
});

test("an excerpt's newest line is shown with its control sequences removed and its markup as characters", () => {
  const line = '<script>alert(1)</script> \u001b]0;owned\u0007\u001b[31mERROR\u001b[0m checkout failed';
  const text = entryText(
    event('log.excerptSaved', { host: 'web-1', path: '/var/log/app.log', file: 'incidents/evidence/x.log', lines: 3, lastLine: line }),
  );
  assert.equal(
    text?.text,
    'Saved a log excerpt of 3 lines from /var/log/app.log, ending: <script>alert(1)</script>  ]0;owned [31mERROR [0m checkout failed',
  );
  assert.doesNotMatch(text?.text ?? '', /[\u0000-\u001f]/);
  assert.deepEqual(text?.evidence, { file: 'incidents/evidence/x.log' });
});
