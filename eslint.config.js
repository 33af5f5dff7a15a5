import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      // Generated migrations are linted like the rest (they pass as generated), so tools that lint
      // the files of a change can be given them.
      'data/**',
      '**/*.cjs',
      'gateway/dashboard/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-console': 'error',
    },
  },
  {
    files: [
      '**/*.test.ts',
      'test/**/*.ts',
      '**/main.ts',
      'hub/src/**/*.ts',
      '**/generate-sdl.ts',
      'gateway/src/compose.ts',
    ],
    rules: { 'no-console': 'off' },
  },
);
