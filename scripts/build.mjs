// Bundles the extension and the CLI with esbuild. node-pty's native addon cannot be bundled, so
// it stays external and is copied next to the bundle (dist/node_modules) for the .vsix.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // ssh2 optionally loads cpu-features and its own native crypto binding; both have pure-JS fallbacks.
  external: ['vscode', 'node-pty', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  // The SSH half, the host files' readers, the trace actions and the log features load on first use
  // (src/views/remoteBundle.ts, inventoryBundle.ts, logs/bundle.ts, traces/bundle.ts) to keep activation fast.
  build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: [
      ...common.external,
      './remote.js',
      './inventory.js',
      './traces.js',
      './logs.js',
      './debug.js',
      './incident.js',
      './hotfix.js',
    ],
  }),
  build({ ...common, entryPoints: ['src/remote.ts'], outfile: 'dist/remote.js' }),
  build({ ...common, entryPoints: ['src/inventory.ts'], outfile: 'dist/inventory.js' }),
  build({ ...common, entryPoints: ['src/views/traces/actions.ts'], outfile: 'dist/traces.js' }),
  build({ ...common, entryPoints: ['src/views/logs/features.ts'], outfile: 'dist/logs.js' }),
  build({ ...common, entryPoints: ['src/debug/features.ts'], outfile: 'dist/debug.js', external: [...common.external, './remote.js'] }),
  build({ ...common, entryPoints: ['src/views/incident/features.ts'], outfile: 'dist/incident.js' }),
  build({ ...common, entryPoints: ['src/views/hotfix/features.ts'], outfile: 'dist/hotfix.js' }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  // Webview scripts run in the browser: no Node, one file each, loaded under the page's CSP (src/views/webview/page.ts).
  ...['flameGraph', 'guide'].map((name) =>
    build({
      ...common,
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
      external: [],
      entryPoints: [`src/webview/${name}/main.ts`],
      outfile: `dist/webview/${name}.js`,
    }),
  ),
]);
// The codicon font for webviews, served from dist/webview under the page's CSP.
for (const file of ['codicon.css', 'codicon.ttf']) cpSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/webview/${file}`);

// The CPython snapshot reader runs on hosts as a script; the bundles read it from beside themselves.
cpSync('src/core/snapshot/pystacks.py', 'dist/pystacks.py');

// node-pty: ship only its Unix JS and the N-API build for this platform (no tests, maps or Windows parts).
const ptyDest = 'dist/node_modules/node-pty';
mkdirSync(ptyDest, { recursive: true });
const runtimeFile = (source) => !/\.(map|test\.js)$|[\\/](windows|conpty)[^\\/]*$/i.test(source);
for (const part of ['package.json', 'lib', 'build/Release/pty.node']) {
  cpSync(`node_modules/node-pty/${part}`, `${ptyDest}/${part}`, { recursive: true, filter: runtimeFile });
}
