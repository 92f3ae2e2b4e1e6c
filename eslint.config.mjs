// ESLint flat config: typescript-eslint's type-aware recommended rules on all TypeScript (src, tests, bench, scripts),
// plain JavaScript files linted without type information, and eslint-config-prettier last so layout is Prettier's alone.
// Every rule turned off or down here says why on the line above it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Node's globals that browsers lack (process, require, Buffer...), switched off where the code runs in a browser.
const nodeOnlyGlobalsOff = Object.fromEntries(
  Object.keys(globals.node)
    .filter((name) => !(name in globals.browser))
    .map((name) => [name, 'off']),
);

export default defineConfig(
  { ignores: ['dist/', 'coverage/', '.tools/', '.data/', 'node_modules/', 'bench/results/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // The project service reads tsconfig.json, which includes src, tests, bench, scripts and jest.config.ts.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Tuned, not off: `_name` marks a parameter kept for its type or position; a rest sibling drops a property on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Tuned, not off: a `let` read by a closure made before its value exists (a URL known once listening) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      // Off in tests: response bodies are `any` (supertest's res.body, fetch bodies alike) and the assertions check their shape.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The storefront's browser code (src/storefront/public): ES modules type-checked from their JSDoc by their own
    // tsconfig, so linted with type information again, with the browser's globals and none of Node's.
    files: ['src/storefront/public/**/*.js'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      sourceType: 'module',
      globals: { ...nodeOnlyGlobalsOff, ...globals.browser },
      parserOptions: {
        projectService: false,
        project: ['src/storefront/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Data is never parsed as HTML in the pages: text goes in as text (src/storefront/public/js/dom.js).
      'no-restricted-properties': [
        'error',
        ...['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'createContextualFragment'].map((property) => ({
          property,
          message: 'Builds HTML from a string: build elements with h() and set text as text (dom.js).',
        })),
        ...['write', 'writeln'].map((property) => ({
          object: 'document',
          property,
          message: 'Writes HTML from a string: build elements with h() (dom.js).',
        })),
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    rules: {
      // Off for CommonJS files: require() is their module system (bench/loop-delay.cjs is preloaded with node --require).
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  prettier,
);
