import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '.stack', 'test-output', 'tools/**/*.mjs'] },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      // Apps import libs, never each other; domain and contracts import nothing of ours.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [
            '^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$',
            '^(\\.\\./)+tools/webpack/.*$',
            // Starts built apps for the cross-app tests and the benchmarks alike.
            '^(\\.\\./)+tools/built-app\\.cjs$',
          ],
          depConstraints: [
            // type:testing (libs/testing) is for *.spec / *.int-spec files only.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:guard',
                'type:identity',
                'type:data',
                'type:kit',
                'type:domain',
                'type:contracts',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:guard', 'type:kit', 'type:domain', 'type:contracts'],
            },
            {
              sourceTag: 'type:identity',
              onlyDependOnLibsWithTags: ['type:data', 'type:kit', 'type:domain', 'type:contracts'],
            },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:kit', 'type:domain', 'type:contracts'] },
            { sourceTag: 'type:guard', onlyDependOnLibsWithTags: ['type:kit', 'type:domain', 'type:contracts'] },
            { sourceTag: 'type:kit', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            {
              sourceTag: 'type:e2e',
              onlyDependOnLibsWithTags: [
                'type:guard',
                'type:data',
                'type:kit',
                'type:domain',
                'type:contracts',
                'type:testing',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
