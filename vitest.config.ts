import { defineConfig } from 'vitest/config'
import TestOrder from './test/test-order.js'

const INCLUDE = ['test/**/*.test.ts', 'test/**/*.test.tsx']
const EXCLUDE = ['test/bench/**', 'node_modules/**']

// Files of pure functions (and QuickJS in this process): no process, socket, node, temp folder, timer or global
// setting. They run one after another in one worker thread without isolation, beside the forked workers: a fork and a
// fresh import of vitest per file cost these 20 files 8.0 s of cpu in all, one thread 2.3-2.8 s. A file that starts
// anything, or changes anything outside its own module's state, belongs in the isolated forks instead.
const PURE = [
  'test/conformance/table.test.ts',
  'test/node/frame-budget.test.ts',
  'test/node/split-join.test.ts',
  'test/pool/pool-calls.test.ts',
  'test/repy/complex.test.ts',
  'test/repy/front-end.test.ts',
  'test/repy/runtime-values.test.ts',
  'test/runtime/api/utf8-chunks.test.ts',
  'test/runtime/guest-calls.test.ts',
  'test/runtime/guest-promises.test.ts',
  'test/runtime/host-function.test.ts',
  'test/runtime/nanny/create-nanny.test.ts',
  'test/runtime/nanny/rate-bucket.test.ts',
  'test/runtime/nanny/restrictions.test.ts',
  'test/runtime/tcp-shm.test.ts',
  'test/shell/line-editor.test.ts',
  'test/shell/wrap-line.test.ts',
  'test/tui/format.test.ts',
  'test/tui/log-lines.test.ts',
  'test/tui/snapshot.test.ts',
]

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real processes and sockets: most tests wait on child processes, timers and sockets, so four workers keep 2
    // cores busy (vitest on a quiet machine, same build, one run each: 3 forks 159 s, 4 forks 142 s, 5 forks 133 s;
    // with 4 the suite also passed with both cores taken by busy loops, 174 s). The pure files' one thread (isolate
    // applies to a whole pool: only they use threads).
    poolOptions: { forks: { maxForks: 4, minForks: 1 }, threads: { maxThreads: 1, minThreads: 1, isolate: false } },
    sequence: { sequencer: TestOrder },
    // libp2p's packages are some 700 ES modules, which every test file that starts a node read and evaluated again
    // in its fresh fork (0.9 s of cpu per file importing NodeManager and NodeClient). Pre-bundled once per run by
    // vitest's optimizer (cached in node_modules/.vite), they cost 0.55 s; the whole suite 19 s of cpu less (286 s to
    // 267 s, and 35 s of import time instead of 65). level and cbor-x stay out: their CommonJS parts do not bundle.
    // The CLI, node managers in child processes and the sandbox host still run dist/ and node_modules as they are.
    deps: {
      optimizer: {
        ssr: {
          enabled: true,
          include: [
            'libp2p',
            '@libp2p/tcp',
            '@libp2p/ping',
            '@libp2p/mdns',
            '@libp2p/dcutr',
            '@libp2p/bootstrap',
            '@libp2p/autonat',
            '@libp2p/identify',
            '@libp2p/kad-dht',
            '@libp2p/circuit-relay-v2',
            '@libp2p/peer-id',
            '@libp2p/crypto/keys',
            '@libp2p/utils',
            '@libp2p/interface',
            '@libp2p/interface-internal',
            '@chainsafe/libp2p-yamux',
            '@chainsafe/libp2p-noise',
            '@multiformats/multiaddr',
            'multiformats/cid',
            'multiformats/hashes/sha2',
            'multiformats/codecs/raw',
            'uint8-varint',
          ],
        },
      },
    },
    setupFiles: ['test/helpers/remove-temp-dirs.ts'],
    projects: [
      { extends: true, test: { name: 'pure', include: PURE, pool: 'threads' } },
      { extends: true, test: { name: 'system', include: INCLUDE, exclude: [...EXCLUDE, ...PURE], pool: 'forks' } },
    ],
  },
})
