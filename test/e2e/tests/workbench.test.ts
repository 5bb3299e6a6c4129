// The packaged extension inside a real VS Code: installed into code-server, it contributes the
// Firefighter activity-bar container with its Hosts view, and activates when the view opens.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir } from '../../harness/cleanup';
import { openSession, type Session } from '../lib/session';

const ACTIVATION_SAMPLES = 3;

describe('Firefighter in code-server', () => {
  let session: Session;

  before(async () => {
    // An empty ssh config, so the view lists nothing of the test machine's.
    const sshConfig = path.join(makeTempDir('e2e-ssh'), 'ssh_config');
    await writeFile(sshConfig, '');
    session = await openSession({ name: 'workbench', userSettings: { 'firefighter.sshConfigFile': sshConfig } });
  });

  after(async () => {
    await session?.close();
  });

  test('the activity bar shows the Firefighter container, holding a Hosts view', async () => {
    const { workbench } = session;
    await workbench.activityBarItem('Firefighter').waitFor();
    // Opening the view activates the extension: let the start-up burst of built-in extensions pass
    // first, so the activation time measured next is ours and not the machine's contention.
    await session.codeServer.waitUntilIdle();
    await workbench.openViewContainer('Firefighter');
    assert.match(await workbench.sideBarTitle(), /^Firefighter/);
    assert.ok((await workbench.viewNames()).includes('Hosts'), `views: ${await workbench.viewNames()}`);
    await workbench.view('Hosts').waitFor();
    await workbench.screenshot('firefighter-view');
  });

  test('the extension activates; its activation time is reported', async (t) => {
    const { workbench, codeServer } = session;
    // Activation time is wall-clock and this machine is shared, so take the median of a few
    // activations, each in a freshly reloaded window (a new extension host).
    const samples = [await workbench.activationTimeMs('Firefighter')];
    await workbench.screenshot('running-extensions');
    while (samples.length < ACTIVATION_SAMPLES) {
      await workbench.reload();
      await codeServer.waitUntilIdle();
      await workbench.openViewContainer('Firefighter');
      samples.push(await workbench.activationTimeMs('Firefighter'));
    }
    const median = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
    const report = `Firefighter activation time: ${median} ms (median of ${samples.join(', ')} ms; code loading + activate(), as Running Extensions shows it)`;
    t.diagnostic(report);
    console.log(report);
    await writeFile(path.join(session.artifactsDir, 'activation.json'), JSON.stringify({ medianMs: median, samplesMs: samples }) + '\n');

    const complaints = (await workbench.notifications()).filter((message) => /firefighter/i.test(message));
    assert.deepEqual(complaints, [], 'no notification about the extension (such as a failed activation)');
  });
});
