// The manifest is a contract: command ids, menus and settings users and keybindings rely on.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CommandId } from '../../../src/views/commandIds';

const root = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const declared: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);

test('package.json declares exactly the commands the extension registers', () => {
  assert.deepEqual([...declared].sort(), Object.values(CommandId).sort());
});

test('every command shows under the Firefighter category in the palette', () => {
  for (const command of manifest.contributes.commands) assert.equal(command.category, 'Firefighter', command.command);
});

test('menus only name declared commands', () => {
  for (const [menu, entries] of Object.entries(manifest.contributes.menus as Record<string, { command: string }[]>)) {
    for (const entry of entries) assert.ok(declared.includes(entry.command), `${menu} names undeclared ${entry.command}`);
  }
});

test('the Hosts view lives in the Firefighter activity-bar container', () => {
  assert.deepEqual(
    manifest.contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id),
    ['firefighter'],
  );
  assert.ok(manifest.contributes.views.firefighter.some((v: { id: string }) => v.id === 'firefighter.hosts'));
});

test('engines.vscode is no newer than ^1.95.0 and @types/vscode is pinned to it', () => {
  assert.equal(manifest.engines.vscode, '^1.95.0');
  assert.equal(manifest.devDependencies['@types/vscode'], '1.95.0');
});

test('the CLI is the package bin, built to dist/cli.js', () => {
  assert.deepEqual(manifest.bin, { firefighter: './dist/cli.js' });
});

test('every bundle the extension loads on first use is built, kept external and shipped in the .vsix', () => {
  // Each loader lives beside its feature (docs/architecture.md, "Layout"): find them all.
  const sources = readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  const loaded = sources.flatMap((file) =>
    [...readFileSync(path.join(root, 'src', file), 'utf8').matchAll(/require\('\.\/(\w+\.js)'\)/g)].map((m) => m[1]),
  );
  assert.deepEqual(loaded.sort(), ['debug.js', 'hotfix.js', 'incident.js', 'inventory.js', 'logs.js', 'remote.js', 'traces.js']);
  const build = readFileSync(path.join(root, 'scripts/build.mjs'), 'utf8');
  const shipped = readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
  for (const bundle of loaded) {
    assert.ok(build.includes(`outfile: 'dist/${bundle}'`), `scripts/build.mjs builds dist/${bundle}`);
    assert.ok(build.includes(`'./${bundle}'`), `scripts/build.mjs keeps ./${bundle} out of dist/extension.js`);
    assert.ok(shipped.includes(`!dist/${bundle}`), `.vscodeignore ships dist/${bundle}`);
  }
});
