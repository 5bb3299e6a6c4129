// The settings reader against the real manifest: its defaults, enums and minimums are the ones
// package.json declares, and a bad value is reported once and read as the default.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Settings, type SettingKey, type SettingSchemas, type SettingsWorkspace, type SettingTypes } from '../../../src/views/settings';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
const schemas: SettingSchemas = manifest.contributes.configuration.properties;

/** A workspace whose user settings are `values`; `change` fires onDidChangeConfiguration as VS Code does. */
function fakeWorkspace(values: Record<string, unknown>) {
  const listeners = new Set<(e: { affectsConfiguration(section: string): boolean }) => void>();
  const workspace = {
    getConfiguration: (section: string) => ({ get: (key: string) => values[`${section}.${key}`] }),
    onDidChangeConfiguration: (listener: (e: { affectsConfiguration(section: string): boolean }) => void) => {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
  } as unknown as SettingsWorkspace;
  const change = (key: string, value: unknown) => {
    values[key] = value;
    for (const listener of listeners) listener({ affectsConfiguration: (section) => key === section || key.startsWith(`${section}.`) });
  };
  return { workspace, change, listeners };
}

// A Record over SettingKey: the compiler insists on every key the reader types, the test on every key the manifest has.
const expectedDefaults: SettingTypes = {
  sshConfigFile: '',
  healthInterval: 5,
  terminalTransport: 'auto',
  connectTimeout: 15,
  pathMappings: [],
  revisionMode: 'deployed',
  tailLines: 200,
  maxLineLength: 65536,
  hotfixTestCommand: 'npm test',
  driftIgnore: ['.git', '*.pyc', '__pycache__'],
};

test('the reader types exactly the settings package.json declares, and unset ones read as its defaults', () => {
  assert.deepEqual(
    Object.keys(schemas).sort(),
    Object.keys(expectedDefaults)
      .map((key) => `firefighter.${key}`)
      .sort(),
  );
  const settings = new Settings(fakeWorkspace({}).workspace, schemas, () => assert.fail('nothing to report'));
  for (const key of Object.keys(expectedDefaults) as SettingKey[]) assert.deepEqual(settings.get(key), expectedDefaults[key], key);
});

test('a set value is read as it is', () => {
  const { workspace } = fakeWorkspace({
    'firefighter.healthInterval': 2,
    'firefighter.terminalTransport': 'openssh',
    'firefighter.sshConfigFile': '~/alt',
  });
  const settings = new Settings(workspace, schemas, () => assert.fail('nothing to report'));
  assert.equal(settings.get('healthInterval'), 2);
  assert.equal(settings.get('terminalTransport'), 'openssh');
  assert.equal(settings.get('sshConfigFile'), '~/alt');
});

test('a value of the wrong type, outside the enum or under the minimum reads as the default, reported once', () => {
  const { workspace } = fakeWorkspace({
    'firefighter.healthInterval': 0,
    'firefighter.terminalTransport': 'telnet',
    'firefighter.connectTimeout': '30',
    'firefighter.pathMappings': {},
  });
  const reports: string[] = [];
  const settings = new Settings(workspace, schemas, (message) => reports.push(message));
  for (let i = 0; i < 3; i++) {
    assert.equal(settings.get('healthInterval'), 5);
    assert.equal(settings.get('terminalTransport'), 'auto');
    assert.equal(settings.get('connectTimeout'), 15);
    assert.deepEqual(settings.get('pathMappings'), []);
  }
  assert.deepEqual(reports, [
    'firefighter.healthInterval: 0 is below the minimum, 1; using the default, 5.',
    'firefighter.terminalTransport: "telnet" is not one of "auto", "ssh2", "openssh"; using the default, "auto".',
    'firefighter.connectTimeout: "30" is not a number; using the default, 15.',
    'firefighter.pathMappings: {} is not a list; using the default, [].',
  ]);
});

test("a change event per key: only that key's listeners hear, with the new value; dispose stops them", () => {
  const { workspace, change, listeners } = fakeWorkspace({});
  const settings = new Settings(workspace, schemas, () => undefined);
  const intervals: number[] = [];
  const timeouts: number[] = [];
  settings.onDidChange('healthInterval', (value) => intervals.push(value));
  const timeoutListener = settings.onDidChange('connectTimeout', (value) => timeouts.push(value));
  change('firefighter.healthInterval', 9);
  change('firefighter.tailLines', 10);
  change('firefighter.connectTimeout', 30);
  timeoutListener.dispose();
  change('firefighter.connectTimeout', 45);
  assert.deepEqual(intervals, [9]);
  assert.deepEqual(timeouts, [30]);
  settings.dispose();
  assert.equal(listeners.size, 0);
  change('firefighter.healthInterval', 3);
  assert.deepEqual(intervals, [9]);
});
