// The demo: a sandbox "production" host (OpenSSH sshd on loopback) running the misbehaving
// checkout service under load, a workspace holding the service's source, and a real VS Code
// (code-server) with the packaged extension connected to the host. Ctrl-C stops it all.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startCodeServer } from '../test/e2e/lib/codeServer';
import { VSIX } from '../test/e2e/lib/paths';
import { onExit, trackProcess } from '../test/harness/cleanup';
import { startSandboxHost } from '../test/harness/sandbox';
import { freePort } from '../test/harness/sshd';

const REPO = path.resolve(__dirname, '..');
// FIREFIGHTER_DEMO_DIR lets the E2E test run the demo without touching a user's .demo folder.
const DEMO = process.env.FIREFIGHTER_DEMO_DIR ?? path.join(REPO, '.demo');
const HOST_NAME = 'checkout-prod-1';

async function main(): Promise<void> {
  rmSync(DEMO, { recursive: true, force: true });
  const workspace = path.join(DEMO, 'workspace');
  const hostRoot = path.join(DEMO, 'host');
  const logDir = path.join(hostRoot, 'var/log/checkout');
  mkdirSync(logDir, { recursive: true });

  step('workspace with the service source (a git repository)');
  cpSync(path.join(REPO, 'demo/checkout'), path.join(workspace, 'checkout'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=Firefighter Demo', '-c', 'user.email=demo@localhost', 'commit', '-qm', 'checkout service');
  const revision = git('rev-parse', 'HEAD');

  step(`deploying release ${revision.slice(0, 12)} to the sandbox host`);
  const releases = path.join(hostRoot, 'srv/checkout/releases');
  const release = path.join(releases, revision);
  cpSync(path.join(workspace, 'checkout'), release, { recursive: true });
  writeFileSync(path.join(release, 'REVISION'), `${revision}\n`);
  const current = path.join(hostRoot, 'srv/checkout/current');
  symlinkSync(release, current);

  const port = await freePort();
  // Started from the release folder, as a deploy would: tracebacks name releases/<sha>/app.py.
  const service = trackProcess(
    spawn('/usr/bin/python3', [path.join(release, 'app.py')], {
      cwd: release,
      env: { ...process.env, LOG_DIR: logDir, PORT: String(port) },
      stdio: 'inherit',
    }),
  );
  const load = trackProcess(
    spawn('/usr/bin/python3', [path.join(release, 'loadgen.py')], {
      env: { ...process.env, TARGET: `http://127.0.0.1:${port}` },
      stdio: 'inherit',
    }),
  );
  step(`checkout service on 127.0.0.1:${port} (pid ${service.pid}), load generator (pid ${load.pid}), logs in ${logDir}`);

  mkdirSync(path.join(DEMO, 'ssh'), { recursive: true });
  const sandbox = await startSandboxHost({ name: HOST_NAME, configDir: path.join(DEMO, 'ssh') });
  step(`sandbox host ${HOST_NAME}: sshd on ${sandbox.host.address}:${sandbox.host.port}, ssh config ${sandbox.configFile}`);

  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.vscode/hosts.json'),
    `${JSON.stringify(
      {
        hosts: [
          {
            name: HOST_NAME,
            tags: ['production'],
            group: 'checkout',
            logs: [`${logDir}/*.log`],
            revisionCommand: `cat ${current}/REVISION`,
          },
        ],
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    path.join(workspace, '.vscode/settings.json'),
    `${JSON.stringify({ 'firefighter.sshConfigFile': sandbox.configFile }, null, 2)}\n`,
  );

  step('starting VS Code (code-server) with the extension installed');
  const codeServer = await startCodeServer({ stateDir: path.join(DEMO, 'code-server'), workspace, vsix: VSIX });

  // The harness ends every process it started on Ctrl-C or exit; the workspace stays for a look.
  onExit(() =>
    console.log(`\n==> demo: stopped VS Code, the service and the sandbox host; the workspace stays in ${workspace} until the next run`),
  );

  console.log(`
Firefighter demo is running.

  Open ${codeServer.url}
  in a browser. In the Firefighter view, expand "${HOST_NAME}" (group checkout, tagged production):
  its load climbs whenever the service's e-mail regex backtracks. Right-click it for top or a
  shell; its logs are ${logDir}/*.log.

  The same host from a shell:  node dist/cli.js -F ${sandbox.configFile} health ${HOST_NAME}

Press Ctrl-C to stop everything the demo started.
`);
}

function step(message: string): void {
  console.log(`==> demo: ${message}`);
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
