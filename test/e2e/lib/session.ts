// One E2E session: a workspace folder written by the test, code-server with the packaged extension,
// and Chromium showing the workbench. `close()` stops everything and keeps the logs.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCodeServer, type CodeServer } from './codeServer';
import { ARTIFACTS_DIR, VSIX } from './paths';
import { Workbench } from './workbench';

export interface SessionOptions {
  /** Names the artifacts folder: artifacts/e2e/<name>/. */
  name: string;
  /** Files to write into the workspace, by relative path (e.g. ".vscode/hosts.json"). */
  workspaceFiles?: Record<string, string>;
  /** User settings on top of the suite's defaults (e.g. "firefighter.sshConfigFile"). */
  userSettings?: Record<string, unknown>;
  /** Extra environment for code-server and its extension host. */
  env?: NodeJS.ProcessEnv;
}

export interface Session {
  workbench: Workbench;
  codeServer: CodeServer;
  /** Absolute path of the workspace folder. */
  workspace: string;
  /** artifacts/e2e/<name>/: screenshots, code-server's log and VS Code's logs. */
  artifactsDir: string;
  close(): Promise<void>;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` in the repository root first`);
  const artifactsDir = path.join(ARTIFACTS_DIR, options.name);
  await rm(artifactsDir, { recursive: true, force: true });
  await mkdir(artifactsDir, { recursive: true });
  const scratch = await mkdtemp(path.join(os.tmpdir(), `firefighter-e2e-${options.name}-`));
  const workspace = path.join(scratch, 'workspace');
  for (const [relative, content] of Object.entries({ 'README.md': '# E2E workspace\n', ...options.workspaceFiles })) {
    await mkdir(path.dirname(path.join(workspace, relative)), { recursive: true });
    await writeFile(path.join(workspace, relative), content);
  }

  let codeServer: CodeServer | undefined;
  let workbench: Workbench | undefined;
  const close = async () => {
    await workbench?.close().catch(() => undefined);
    await codeServer?.stop();
    if (codeServer) {
      await cp(codeServer.logFile, path.join(artifactsDir, 'code-server.log')).catch(() => undefined);
      await cp(path.join(codeServer.userDataDir, 'logs'), path.join(artifactsDir, 'logs'), { recursive: true }).catch(() => undefined);
    }
    await rm(scratch, { recursive: true, force: true });
  };
  try {
    codeServer = await startCodeServer({
      stateDir: path.join(scratch, 'code-server'),
      workspace,
      vsix: VSIX,
      userSettings: options.userSettings,
      env: options.env,
    });
    workbench = await Workbench.open(codeServer.url, artifactsDir);
  } catch (error) {
    await close();
    throw error;
  }
  return { workbench, codeServer, workspace, artifactsDir, close };
}
