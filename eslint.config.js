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
    // The Repy guest runtime throws Python exception objects on purpose (PyInstance: what a Python `except` matches by
    // class, carrying its traceback); anything else thrown there must still be an Error.
    files: ['src/repy/guest/**/*.ts'],
    rules: {
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
