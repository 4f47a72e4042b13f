import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const nodeOnly = ['electron', 'node-pty', 'fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process']

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', '.venv/**', 'test-results/**', 'resources/**', 'dist/**', '.devnode/**', '.whl/**', '.gl/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is host-free: it reaches the machine only through ports a host passes in.
    files: ['agents/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeOnly.map((name) => ({ name, message: 'agents/ is host-free: take this through a port from main/host.' })),
          patterns: [{ group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'agents/ imports nothing of ours.' }],
        },
      ],
    },
  },
  {
    // The renderer talks only to the contract, and only its types cross from agents/.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeOnly.map((name) => ({ name, message: 'The renderer has no Node or Electron; ask the backend through the contract.' })),
          patterns: [
            { group: ['**/main/**', '**/preload/**'], message: 'The renderer never imports main/ or preload/.' },
            { group: ['**/agents/**'], allowTypeImports: true, message: 'Only types may be imported from agents/ (use `import type`).' },
            { group: ['node:*'], message: 'The renderer has no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // Only the Electron front door and the preload may load electron; Node code never does.
    files: ['main/host/**/*.ts', 'main/server/**/*.ts', 'main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only main/electron and preload/ may import electron.' }] }],
    },
  },
)
