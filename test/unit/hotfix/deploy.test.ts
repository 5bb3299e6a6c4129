// Deploy and verify through a local `sh` (LocalRunner): the host's deployCommand gets the hotfix in
// its environment, a failure names the host and the next step, verify compares the host's revision
// with the hotfix's commit, and the events they publish tick step 3's checks on the incident.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EventBus } from '../../../src/core/events/bus';
import type { IncidentEvent } from '../../../src/core/events/types';
import { deployHotfix, hostCommandLine, verifyHotfix } from '../../../src/core/hotfix/deploy';
import { HostCommandError } from '../../../src/core/hosts/hostCommand';
import { restartService, signalProcess } from '../../../src/core/hosts/serviceActions';
import { IncidentJournal } from '../../../src/core/incident/journal';
import { IncidentRecorder } from '../../../src/core/incident/recorder';
import { IncidentStore } from '../../../src/core/incident/store';
import { LocalRunner } from '../../support/localRunner';
import { tempDir } from '../../support/tempDir';

const COMMIT = '0123456cdef0123456cdef01234567';
const hotfix = { branch: 'hotfix/2026-12-02-checkout', commit: COMMIT, incident: '2026-12-02-checkout' };

function recording() {
  const bus = new EventBus();
  const events: IncidentEvent[] = [];
  bus.onAny((event) => events.push(event));
  return { bus, events };
}

describe('deploy and verify', () => {
  it('quotes the configured command and hands it the hotfix as environment', () => {
    assert.equal(
      hostCommandLine(`echo "it's $FIREFIGHTER_REVISION"`, 'web-1', hotfix),
      `FIREFIGHTER_REVISION='${COMMIT}' FIREFIGHTER_BRANCH='hotfix/2026-12-02-checkout' FIREFIGHTER_HOST='web-1' sh -c 'echo "it'\\''s $FIREFIGHTER_REVISION"'`,
    );
  });

  it('deploy runs deployCommand with the revision and branch, then publishes hotfix.deployed', async (t) => {
    const dir = tempDir(t, 'ff-deploy-');
    const { bus, events } = recording();
    const host = {
      name: 'web-1',
      deployCommand: `printf '%s %s %s' "$FIREFIGHTER_REVISION" "$FIREFIGHTER_BRANCH" "$FIREFIGHTER_HOST" > ${dir}/DEPLOYED; echo done`,
    };
    const run = await deployHotfix({ runner: new LocalRunner('web-1'), host, hotfix, events: bus });
    assert.equal(run.exitCode, 0);
    assert.equal(run.stdout, 'done\n');
    assert.equal(readFileSync(path.join(dir, 'DEPLOYED'), 'utf8'), `${COMMIT} ${hotfix.branch} web-1`);
    assert.deepEqual(
      events.map(({ at: _at, ...e }) => e),
      [
        {
          name: 'hotfix.deployed',
          source: 'hotfix',
          host: 'web-1',
          revision: COMMIT,
          command: host.deployCommand,
          branch: hotfix.branch,
          incident: hotfix.incident,
        },
      ],
    );
  });

  it('a failing deploy names the host, the exit code and the next step, keeps the output and publishes nothing', async () => {
    const { bus, events } = recording();
    const host = { name: 'web-1', deployCommand: 'echo building; echo "no space left on device" >&2; exit 3' };
    const error = await deployHotfix({ runner: new LocalRunner('web-1'), host, hotfix, events: bus }).catch((e: unknown) => e);
    assert.ok(error instanceof HostCommandError);
    assert.match(
      error.message,
      /deploy of hotfix\/2026-12-02-checkout \(0123456\) failed on web-1 \(exit code 3: no space left on device\)/,
    );
    assert.match(error.message, /fix the cause on web-1 or the "deployCommand" in \.vscode\/hosts\.json, and deploy again/);
    assert.equal(error.run?.stdout, 'building\n');
    assert.equal(events.length, 0);
  });

  it('a host without deployCommand says which field to add', async () => {
    await assert.rejects(
      deployHotfix({ runner: new LocalRunner('web-1'), host: { name: 'web-1' }, hotfix }),
      /web-1 has no "deployCommand" in \.vscode\/hosts\.json/,
    );
  });

  it('verify: verifyCommand and the host revision both checked; ok only when both hold', async (t) => {
    const dir = tempDir(t, 'ff-verify-');
    writeFileSync(path.join(dir, 'REVISION'), `${COMMIT}\n`);
    const { bus, events } = recording();
    const runner = new LocalRunner('web-1');
    const host = { name: 'web-1', verifyCommand: 'test "$FIREFIGHTER_REVISION" != ""', revisionCommand: `cat ${dir}/REVISION` };
    const good = await verifyHotfix({ runner, host, hotfix, events: bus });
    assert.equal(good.ok, true);
    assert.match(good.how, /exited 0; web-1 runs 0123456, the tip of hotfix\/2026-12-02-checkout/);
    writeFileSync(path.join(dir, 'REVISION'), 'fedcba9876543210fedcba9876543210fedcba98\n');
    const stale = await verifyHotfix({ runner, host, hotfix, events: bus });
    assert.equal(stale.ok, false, 'the revision is read afresh, not from a cache');
    assert.match(stale.how, /web-1 runs fedcba98.*, not 0123456/);
    const failing = await verifyHotfix({ runner, host: { name: 'web-1', verifyCommand: 'exit 1' }, hotfix, events: bus });
    assert.equal(failing.ok, false);
    assert.match(failing.how, /`exit 1` failed \(1\)/);
    assert.deepEqual(
      events.map((e) => [e.name, (e as IncidentEvent<'hotfix.verified'>).ok]),
      [
        ['hotfix.verified', true],
        ['hotfix.verified', false],
        ['hotfix.verified', false],
      ],
    );
    await assert.rejects(verifyHotfix({ runner, host: { name: 'web-1' }, hotfix }), /neither "verifyCommand" nor "revisionCommand"/);
  });

  it('verify resolves a tag or branch the host reports through the repository', async () => {
    const host = { name: 'web-1', revision: 'v1.2.3' };
    const result = await verifyHotfix({
      runner: new LocalRunner('web-1'),
      host,
      hotfix,
      resolve: async (revision) => (revision === 'v1.2.3' ? COMMIT : null),
    });
    assert.equal(result.ok, true);
  });

  it('the published events tick "deployed" and "verified" on the active incident', async (t) => {
    const root = tempDir(t, 'ff-deploy-incident-');
    const { bus } = recording();
    const journal = new IncidentJournal(new IncidentStore(root), { events: bus, who: 'ana' });
    const { id } = await journal.start({ title: 'Checkout', severity: 'SEV2' });
    const recorder = new IncidentRecorder(journal, bus, { activeIncident: () => id, onError: (e) => assert.fail(String(e)) });
    t.after(() => recorder.dispose());
    const runner = new LocalRunner('web-1');
    await deployHotfix({ runner, host: { name: 'web-1', deployCommand: 'true' }, hotfix, events: bus });
    await verifyHotfix({ runner, host: { name: 'web-1', revision: COMMIT }, hotfix, events: bus });
    await recorder.idle();
    const checks = (await journal.store.read(id)).steps.find((s) => s.id === 'hotfix')!.checks;
    const how = (check: string) => checks.find((c) => c.id === check)!;
    assert.equal(how('deploy').done, true);
    assert.equal(how('deploy').how?.by, 'event');
    assert.equal(how('verify').done, true);
  });
});

describe('restart and signals', () => {
  it('restart runs restartCommand and records it; a failure names the host and the field', async () => {
    const { bus, events } = recording();
    const runner = new LocalRunner('web-1');
    await restartService(runner, { name: 'web-1', restartCommand: 'echo restarted' }, bus);
    await assert.rejects(
      restartService(runner, { name: 'web-1', restartCommand: 'exit 5' }, bus),
      /Restarting the service failed on web-1 \(exit code 5\)/,
    );
    await assert.rejects(restartService(runner, { name: 'web-1' }, bus), /no "restartCommand"/);
    assert.deepEqual(
      events.map((e) => (e as IncidentEvent<'service.restarted'>).exitCode),
      [0, 5],
    );
  });

  it('a signal is sent with kill -s and recorded; a bad pid is refused before anything runs', async () => {
    const { bus, events } = recording();
    const runner = new LocalRunner('web-1');
    await assert.rejects(signalProcess(runner, 1, 'KILL', bus), /not a process id/);
    assert.deepEqual(runner.commands, []);
    // A pid that does not exist: kill fails, the error says what may be going on, the attempt is recorded.
    await assert.rejects(signalProcess(runner, 2 ** 22 + 7, 'TERM', bus), /Sending SIGTERM to 4194311 failed on web-1.*exited already/);
    assert.deepEqual(runner.commands, ['kill -s TERM 4194311']);
    assert.deepEqual(
      events.map(({ at: _at, ...e }) => e),
      [{ name: 'process.signalled', source: 'hostActions', host: 'web-1', pid: 4194311, signal: 'SIGTERM', exitCode: 1 }],
    );
  });
});
