// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'packages/proto/src/gen/**', '.assent/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration[exported=null]', message: 'Use named exports (STYLE.md: explicit public surface).' },
      ],
    },
  },
  {
    // Plain Node scripts (examples, test fixtures run as their own processes).
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', setTimeout: 'readonly', console: 'readonly' } },
  },
  {
    // The domain layer stays free of transport and infrastructure (STYLE.md layout).
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@grpc/*', '@nats-io/*', 'ioredis', '@openfga/sdk', '@assent/proto', '@assent/proto/*'], message: 'domain/ must not import transport or infrastructure' },
          ],
        },
      ],
    },
  },
);
