// activate() against a stand-in `vscode` module: every command package.json declares is
// registered, only dist/extension.js's own code runs (no bundle is loaded), and closing disposes
// everything it registered, reporting a disposal that throws to the output channel.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** What the extension did to VS Code. */
const registered: { commands: string[]; alive: Set<string>; logged: string[] } = { commands: [], alive: new Set(), logged: [] };
let throwOnDispose: string | undefined;

/** A member of the stand-in: callable, constructible, and any property is another one. */
function anything(): unknown {
  return new Proxy(function () {}, {
    get: (_t, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : anything()),
    apply: () => anything(),
    construct: () => anything() as object,
    set: () => true,
  });
}

/** A disposable that says when it is disposed (and can be made to throw). */
function tracked(name: string) {
  registered.alive.add(name);
  return {
    dispose: () => {
      registered.alive.delete(name);
      if (name === throwOnDispose) throw new Error(`${name} would not close`);
    },
  };
}

/** A stand-in with `members` of its own; any other property is `anything()` (set through the prototype would be lost). */
function standIn(members: object): Record<string, unknown> {
  return Object.create(anything() as object, Object.getOwnPropertyDescriptors(members));
}

const vscode = standIn({
  commands: standIn({
    registerCommand: (id: string) => {
      registered.commands.push(id);
      return tracked(`command ${id}`);
    },
  }),
  window: standIn({
    createOutputChannel: () => {
      const channel = tracked('output channel');
      const log =
        (level: string) =>
        (...parts: unknown[]) =>
          registered.logged.push(`${level} ${parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' ')}`);
      return { ...channel, info: log('info'), warn: log('warn'), error: log('error') };
    },
    registerTerminalLinkProvider: () => tracked('terminal links'),
  }),
  workspace: standIn({ getConfiguration: () => ({ get: () => undefined }), workspaceFolders: undefined }),
});

const moduleWithResolve = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = moduleWithResolve._resolveFilename;
moduleWithResolve._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode } as NodeJS.Module;

async function activate(): Promise<{ dispose(): void }[]> {
  const { activate } = await import('../../../src/extension.js');
  const subscriptions: { dispose(): void }[] = [];
  activate({ subscriptions, secrets: anything(), extension: { packageJSON: manifest } } as never);
  return subscriptions;
}

test('activate() registers every command package.json declares, and closing disposes them all', async () => {
  const before = new Set(Object.keys(require.cache));
  const subscriptions = await activate();
  assert.deepEqual([...registered.commands].sort(), manifest.contributes.commands.map((c: { command: string }) => c.command).sort());
  assert.ok(registered.alive.has('terminal links'));
  const loaded = Object.keys(require.cache).filter(
    (file) => !before.has(file) && /[\\/]src[\\/](remote|inventory|views[\\/](logs[\\/]features|traces[\\/]actions))\.ts$/.test(file),
  );
  assert.deepEqual(loaded, [], 'no lazily loaded bundle is loaded by activation');
  for (const subscription of subscriptions) subscription.dispose();
  assert.deepEqual([...registered.alive], []);
});

test('a registration that throws while closing does not keep the others open, and is logged', async () => {
  registered.commands = [];
  registered.logged = [];
  throwOnDispose = 'command firefighter.tailLog';
  const subscriptions = await activate();
  for (const subscription of subscriptions) subscription.dispose();
  assert.deepEqual([...registered.alive], []);
  assert.deepEqual(
    registered.logged.filter((line) => line.startsWith('error')),
    ['error Closing Firefighter: command firefighter.tailLog would not close'],
  );
});
