// Activation cost outside VS Code: each round is a fresh Node process that requires the built
// dist/extension.js against a stand-in `vscode` module and calls activate(), timing both and
// listing which bundles and packages the startup path loaded. Run `npm run build` first.
// Usage: node --import tsx bench/activation.ts [ROUNDS] [OTHER/extension.js...]
// VS Code's own figure (Running Extensions) adds its loader and the other extensions starting
// in the same burst; this one isolates our part, so a change to the startup path shows here.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { summary } from './common';

const root = path.resolve(__dirname, '..');
const rounds = Number(process.argv[2] ?? 15);

/** Runs in the child: a `vscode` where every member is a callable, constructible stand-in. */
const child = String.raw`
const Module = require('node:module');
const anything = () => new Proxy(function () {}, {
  get: (_t, key) => key === Symbol.toPrimitive ? () => '' : key === 'then' ? undefined : anything(),
  apply: () => anything(),
  construct: () => anything(),
  set: () => true,
});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest); };
// Inherits from the stand-in: the bundle's ESM interop copies own keys and keeps the prototype.
// Own members are defined, not assigned: an assignment would go to the prototype's set trap.
const standIn = (members) => Object.create(anything(), Object.getOwnPropertyDescriptors(members));
// Settings read as unset, so each takes its package.json default, as in a fresh VS Code.
const vscode = standIn({ workspace: standIn({ getConfiguration: () => ({ get: (_key, fallback) => fallback, inspect: () => undefined }) }) });
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
// The Node built-ins the bundle requires, loaded first and timed apart: they are not ours to trim.
const tb = process.hrtime.bigint();
for (const name of ['node:child_process', 'node:crypto', 'node:fs', 'node:os', 'node:path']) require(name);
const packageJSON = require(require('node:path').join(process.argv[1], '../../package.json'));
const before = new Set(Object.keys(require.cache));
const t0 = process.hrtime.bigint();
const extension = require(process.argv[1]);
const t1 = process.hrtime.bigint();
const subscriptions = [];
extension.activate({ subscriptions, secrets: anything(), extension: { packageJSON }, extensionUri: anything(), globalState: anything(), workspaceState: anything() });
const t2 = process.hrtime.bigint();
const loaded = Object.keys(require.cache).filter((f) => !before.has(f));
process.stdout.write(JSON.stringify({ builtinsMs: Number(t0 - tb) / 1e6, requireMs: Number(t1 - t0) / 1e6, activateMs: Number(t2 - t1) / 1e6, loaded }));
`;

type Run = { builtinsMs: number; requireMs: number; activateMs: number; loaded: string[] };
// Other builds to compare (e.g. a baseline's dist/extension.js) run interleaved with this one, so
// the machine's load falls on all of them alike.
const bundles = [path.join(root, 'dist/extension.js'), ...process.argv.slice(3).map((b) => path.resolve(b))];
const runs = new Map<string, Run[]>(bundles.map((b) => [b, []]));
for (let i = 0; i < rounds; i++) {
  for (const bundle of bundles)
    runs.get(bundle)!.push(JSON.parse(execFileSync(process.execPath, ['-e', child, bundle], { encoding: 'utf8' })));
}
const ms = (values: number[]) => {
  const { median, p90 } = summary(values);
  return `median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`;
};
for (const bundle of bundles) {
  const of = runs.get(bundle)!;
  console.log(`${path.relative(root, bundle)}: ${(statSync(bundle).size / 1024).toFixed(0)} KB, ${rounds} fresh processes`);
  console.log(`  Node built-ins it requires (child_process, crypto, fs, os, path): ${ms(of.map((r) => r.builtinsMs))}`);
  console.log(`  require:    ${ms(of.map((r) => r.requireMs))}`);
  console.log(`  activate(): ${ms(of.map((r) => r.activateMs))}`);
  console.log(`  both:       ${ms(of.map((r) => r.requireMs + r.activateMs))}`);
  console.log(`  loaded at startup: ${of[0].loaded.map((f) => path.relative(root, f)).join(', ')}`);
}
