// ESLint: typescript-eslint's type-checked rules over the whole project; Prettier owns the formatting.
// `npm test` runs it (npm run lint), so a rule here is a rule the tree keeps.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'native/build/',
      'models/',
      '.editledger/',
      'bin/',
      'eslint.config.js',
      'infra/dashboard/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Adapters implement promise-returning ports; an `async` method without `await` is how they say so.
      '@typescript-eslint/require-await': 'off',
      // Numbers, booleans, null and shapes ([2,3]) in messages read fine; objects and unknowns need a String(...).
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true, allowArray: true },
      ],
    },
  },
  {
    // ava's assertions are methods taken off `t` and tests parse JSON they just printed: the unsafe-any rules
    // would only add casts there. Sources keep them.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Tests mutate parsed JSON to build bad input; `any` stays out of the sources.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
  },
);
