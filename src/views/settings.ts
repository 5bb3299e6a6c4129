// The one reader of the `firefighter.*` settings (docs/architecture.md, "Services, settings and
// disposal"). Types are declared here once; defaults, enums and minimums come from package.json's
// contributes.configuration, so no caller repeats them. A value of the wrong type or out of range
// is reported (to the output channel) and read as the default: reading a setting never shows UI.
import type * as vscode from 'vscode';
import { Disposable, type IDisposable } from '../core/util/lifecycle';
import { EventEmitter } from '../core/util/events';

export interface SettingTypes {
  sshConfigFile: string;
  healthInterval: number;
  terminalTransport: 'auto' | 'ssh2' | 'openssh';
  connectTimeout: number;
  pathMappings: readonly unknown[];
  revisionMode: 'deployed' | 'head';
  tailLines: number;
  maxLineLength: number;
  hotfixTestCommand: string;
  driftIgnore: readonly string[];
}

export type SettingKey = keyof SettingTypes;

const SECTION = 'firefighter';

/** The part of a contributes.configuration property this reader checks values against. */
export interface SettingSchema {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  default: unknown;
  enum?: readonly unknown[];
  minimum?: number;
}

/** The manifest's contributes.configuration.properties, keyed `firefighter.<key>`. */
export type SettingSchemas = Record<string, SettingSchema>;

export type SettingsWorkspace = Pick<typeof vscode.workspace, 'getConfiguration' | 'onDidChangeConfiguration'>;

export class Settings extends Disposable {
  private readonly emitters = new Map<SettingKey, EventEmitter<void>>();
  /** Invalid values already reported, so a value read every few seconds is reported once. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly workspace: SettingsWorkspace,
    private readonly schemas: SettingSchemas,
    private readonly report: (message: string) => void,
  ) {
    super();
    this._register(
      workspace.onDidChangeConfiguration((e) => {
        for (const [key, emitter] of this.emitters) if (e.affectsConfiguration(`${SECTION}.${key}`)) emitter.fire();
      }),
    );
  }

  get<K extends SettingKey>(key: K): SettingTypes[K] {
    const schema = this.schemaOf(key);
    const value = this.workspace.getConfiguration(SECTION).get<unknown>(key);
    if (value === undefined) return schema.default as SettingTypes[K];
    const problem = problemOf(value, schema);
    if (!problem) return value as SettingTypes[K];
    const shown = `${SECTION}.${key}: ${JSON.stringify(value)} ${problem}; using the default, ${JSON.stringify(schema.default)}.`;
    if (!this.reported.has(shown)) {
      this.reported.add(shown);
      this.report(shown);
    }
    return schema.default as SettingTypes[K];
  }

  /** Calls `listener` with the new value each time the setting changes. */
  onDidChange<K extends SettingKey>(key: K, listener: (value: SettingTypes[K]) => void): IDisposable {
    let emitter = this.emitters.get(key);
    if (!emitter) this.emitters.set(key, (emitter = this._register(new EventEmitter<void>())));
    return emitter.event(() => listener(this.get(key)));
  }

  private schemaOf(key: SettingKey): SettingSchema {
    const schema = this.schemas[`${SECTION}.${key}`];
    if (!schema) throw new Error(`package.json declares no setting ${SECTION}.${key}.`);
    return schema;
  }
}

/** What is wrong with `value` for `schema`, or undefined when nothing is. */
function problemOf(value: unknown, schema: SettingSchema): string | undefined {
  switch (schema.type) {
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'is not a number';
      if (schema.type === 'integer' && !Number.isInteger(value)) return 'is not a whole number';
      if (schema.minimum !== undefined && value < schema.minimum) return `is below the minimum, ${schema.minimum}`;
      break;
    case 'array':
      if (!Array.isArray(value)) return 'is not a list';
      break;
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
      break;
    default:
      if (typeof value !== schema.type) return `is not a ${schema.type}`;
  }
  if (schema.enum && !schema.enum.includes(value)) return `is not one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  return undefined;
}
