import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.cache/', '.gpu/', 'runs/', 'models/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // fusion/ is a library that must run in a browser and a worker: no Node or Electron.
    files: ['fusion/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'url', 'crypto', 'stream', 'zlib'], message: 'fusion/ is pure TypeScript: no Node imports.' },
          { group: ['electron', 'electron/*'], message: 'fusion/ is pure TypeScript: no Electron imports.' },
          { group: ['../main/*', '../../main/*', '../renderer/*', '../../renderer/*'], message: 'fusion/ must not depend on the app.' },
        ],
      }],
    },
  },
);
