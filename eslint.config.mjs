// ESLint flat config: typescript-eslint's type-aware recommended rules on all TypeScript (src, tests, bench, scripts),
// plain JavaScript files linted without type information, and eslint-config-prettier last so layout is Prettier's alone.
// Every rule turned off or down here says why on the line above it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
    files: ['**/*.cjs'],
    rules: {
      // Off for CommonJS files: require() is their module system (bench/loop-delay.cjs is preloaded with node --require).
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  prettier,
);
