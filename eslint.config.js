import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { readFileSync } from 'node:fs'

/** The packages agents/ may import (agents/allowed-packages.json). */
const allowed = JSON.parse(readFileSync(new URL('./agents/allowed-packages.json', import.meta.url), 'utf8'))
const agentsPackages = allowed.packages

const nodeOnly = ['electron', 'node-pty', 'fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process']

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', '.venv/**', 'test-results/**', 'resources/**', 'dist/**', '.devnode/**', '.whl/**', '.gl/**', '.gpu-carry/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
      },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is host-free: it reaches the machine only through ports a host passes in. An
    // allow-list, not a deny list: anything not named here (node:*, electron, a new package) fails.
    // test/unit/layers.test.ts checks the same lists by resolving every import.
    files: ['agents/**/*.ts'],
    ignores: ['agents/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!\\.\\.?/)(?!(${agentsPackages.join('|')})$)`,
              message: `agents/ is host-free: it may import only ${agentsPackages.join(', ')} and itself; take anything else through a port from main/host.`,
            },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**', '**/test/**', '**/scripts/**', '**/bench/**', '**/resources/**'],
              message: 'agents/ imports nothing of ours outside agents/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests of the core may also use vitest, the loopback model servers and recorded benchmark data.
    files: ['agents/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!\\.\\.?/)(?!(${[...agentsPackages, ...allowed.testPackages].join('|')})$)`,
              message: 'agents/ tests import what agents/ may, and vitest.',
            },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**', '**/scripts/**', '**/bench/**/*.ts'],
              message: 'agents/ tests import nothing of the hosts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer talks only to the contract: values from agents/contract (the registry's lists),
    // types from the rest of agents/.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeOnly.map((name) => ({ name, message: 'The renderer has no Node or Electron; ask the backend through the contract.' })),
          patterns: [
            { group: ['**/main/**', '**/preload/**'], message: 'The renderer never imports main/ or preload/.' },
            {
              regex: '(^|/)agents/(?!contract/)',
              allowTypeImports: true,
              message: 'Only types may be imported from agents/ outside agents/contract (use `import type`).',
            },
            { group: ['node:*'], message: 'The renderer has no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // The preload is the bridge and nothing else: electron, and types from the contract.
    files: ['preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!electron$)(?!(\\.\\./)+agents/contract/)', message: 'The preload imports only electron and types from agents/contract.' },
            { group: ['**/agents/contract/**'], allowTypeImports: true, message: 'The preload takes only types from agents/contract (use `import type`).' },
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
