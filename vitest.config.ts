import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real processes and sockets: keep the 2-core machine from being oversubscribed.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
  },
})
