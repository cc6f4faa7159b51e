// Lint gate (npm run lint): type-aware rules over src, test, scripts and types. A rule that is wrong for this project
// is turned off here with its reason; a single exception in the code is an eslint-disable comment with `-- reason`.
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs'
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'vessels/**', 'keys/**', 'coverage/**', 'examples/**'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  comments.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      // A disable comment must say why: `// eslint-disable-line rule -- reason`.
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: ['eslint-enable'] }],
      // A whole file may opt out of one rule with a reason at its top.
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: true }],
      // An async function without await is how this code meets a Promise-returning interface (a store, a connector,
      // waitFor's predicate), and it turns a throw into a rejection: dropping `async` would change behaviour.
      '@typescript-eslint/require-await': 'off',
      // Promise.all over a mix of values and promises is how this code skips work it already has.
      '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
      // Passing on a caught value as it is stays allowed, as only-throw-error allows rethrowing it.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // A destructuring of which only some bindings are reassigned stays one `let`.
      'prefer-const': ['error', { destructuring: 'all' }],
      // The `_` prefix marks a parameter or binding kept for its position (as tsc's noUnusedParameters reads it).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    files: ['src/repy/guest/**/*.ts'],
    rules: {
      // The Python call paths run in QuickJS, where f.apply(null, args) is about 3x faster than f(...args).
      'prefer-spread': 'off',
      // The Repy guest runtime throws Python exception objects on purpose (PyInstance: what a Python `except` matches
      // by class, carrying its traceback); anything else thrown there must still be an Error.
      '@typescript-eslint/only-throw-error': [
        'error',
        {
          allow: [{ from: 'file', name: 'PyInstance', path: 'src/repy/guest/core.ts' }],
        },
      ],
    },
  },
  {
    // Plain JavaScript files are not type-checked (checkJs is off), so the type-aware rules would only see `any`.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
)
