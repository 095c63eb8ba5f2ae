// Lint for the TypeScript sources and the scripts: ESLint's and typescript-eslint's recommended
// rules (syntax-based, no type information: fast enough to run in every `npm test`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  // What .gitignore leaves out (built and generated: out, dist, .artifacts, ...) and code that is data.
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.artifacts/**', '.vscode-test/**', '**/*.vsix', 'test/fixtures/**', 'test/vscode/workspace/**', 'examples/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names are noise that hides real ones; a leading _ marks a deliberate one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Walking a scope chain starts from `this` (`for (let e = this; e; e = e.parent)`).
      '@typescript-eslint/no-this-alias': 'off',
      // Errors here are read by people: the message carries the cause's words already.
      'preserve-caught-error': 'off',
      // Fang handles control characters on purpose (trace separators, terminal escapes, the display convention).
      'no-control-regex': 'off',
    },
  },
  // Plain CommonJS entry points and tests that read untyped JSON.
  { files: ['**/*.js', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Tests read untyped JSON and match indentation literally.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-regex-spaces': 'off' } },
  { files: ['media/**/*.js'], languageOptions: { globals: { ...globals.browser, acquireVsCodeApi: 'readonly' } } },
);
