// Lint for what the compiler does not catch. The complexity cap keeps functions small enough to read in one
// go (Pepr caps it the same way); a function over it is split, not exempted.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tap-snapshots/**', 'charts/**', 'examples/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      complexity: ['error', { max: 15 }],
      'max-depth': ['error', 4],
      eqeqeq: 'error',
      // A variable assigned after a teardown that reads it cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `const { dropped: _dropped, ...kept } = object` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Table-driven tests loop over several dimensions on purpose; the cap there only stops runaway helpers.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      complexity: ['error', { max: 25 }],
      'max-depth': ['error', 6],
    },
  },
);
