// ESLint with type-aware rules (typescript-eslint); the formatter is Prettier (npm run format).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'web/', 'bin/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      // Store methods are async to fit one interface for SQLite (sync driver) and PostgreSQL.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'detection code takes time from events, never the wall clock' }],
    },
  },
  {
    // Tests poke at parsed JSON responses; typing every one of them buys nothing.
    files: ['**/*.test.ts', 'src/testing/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // The wall clock is fine outside detection: CLI, API, store bookkeeping, bus leases, benches, tests.
    files: ['src/cli/**', 'src/api/**', 'src/store/**', 'src/bus/**', 'bench/**', '**/*.test.ts', 'src/testing/**', 'src/evaluate/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
