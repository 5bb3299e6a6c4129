import tseslint from 'typescript-eslint';
import firefighter from './scripts/lint/noImportCycle.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/e2e/node_modules/**', '.demo/**', 'artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { firefighter },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // No import cycles anywhere (docs/architecture.md, "Layout").
      'firefighter/no-import-cycle': 'error',
    },
  },
  {
    // The core is plain Node: it is unit-tested outside VS Code and shared with the CLI.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core must not import vscode (see DESIGN.md).' }] }],
    },
  },
);
