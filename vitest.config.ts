import { defineConfig } from 'vitest/config'
import TestOrder from './test/test-order.js'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real processes and sockets: most tests wait on child processes, so three workers keep 2 cores busy without
    // oversubscribing them (the suite also passes with both cores taken by busy loops).
    pool: 'forks',
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    sequence: { sequencer: TestOrder },
    setupFiles: ['test/helpers/remove-temp-dirs.ts'],
  },
})
