// The lint rule that keeps the tree free of import cycles (docs/architecture.md, "Layout"), run
// through ESLint itself on small trees written to disk, since the rule reads the files it follows.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { tempDir } from '../../support/tempDir';

async function lint(t: TestContext, files: Record<string, string>): Promise<string[]> {
  const dir = tempDir(t, 'cycle-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const { default: firefighter } = await import('../../../scripts/lint/noImportCycle.mjs');
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { firefighter },
        rules: { 'firefighter/no-import-cycle': 'error' },
      },
    ],
  });
  const results = await eslint.lintFiles(['**/*.ts']);
  return results.flatMap((r) => r.messages.map((m) => `${path.relative(dir, r.filePath)}:${m.line} ${m.message}`)).sort();
}

test('a cycle through three files is reported at each import that closes it, with the chain', async (t) => {
  const messages = await lint(t, {
    'a.ts': "import { b } from './b';\nexport const a = b;\n",
    'b.ts': "import type { C } from './sub';\nexport const b = 1 as unknown as C;\n",
    'sub/index.ts': "export type { C } from '../c.js';\n",
    'c.ts': "import { a } from './a';\nexport type C = typeof a;\n",
  });
  assert.equal(messages.length, 4);
  assert.match(messages[0], /^a\.ts:1 Import cycle: a\.ts → b\.ts → sub\/index\.ts → c\.ts → a\.ts\./);
  assert.ok(messages.some((m) => m.startsWith('c.ts:1 Import cycle: c.ts → a.ts → b.ts → sub/index.ts → c.ts.')));
});

test('imports that only go down, packages and require calls are not cycles', async (t) => {
  const messages = await lint(t, {
    'a.ts': "import { b } from './b';\nimport { join } from 'node:path';\nexport const a = join(b);\n",
    'b.ts': "export const b = 'x';\nexport function later(): unknown {\n  return require('./a');\n}\n",
  });
  assert.deepEqual(messages, []);
});
