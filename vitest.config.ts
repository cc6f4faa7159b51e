import { defineConfig } from 'vitest/config'
import TestOrder from './test/test-order.js'

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real processes and sockets: most tests wait on child processes, timers and sockets, so more workers than cores
    // keep 2 cores busy. Each worker is one process for all the files it runs (isolate: false): vitest and the modules
    // under test are imported once per worker instead of once per file. Whole runs on a quiet machine: 4 forks with a
    // fresh one per file 254 s of cpu, 140 s (36 s of it importing); 4 shared 212 s of cpu, 119 s; 5 shared 212 s of
    // cpu, 110-114 s; with both cores also taken by busy loops 143 s (was 177). So a file must leave nothing behind for
    // the next one in its process: it stops the nodes, hosts, servers, sockets and timers it started, and changes no
    // global setting (CONTRIBUTING.md; left-running.ts checks sockets, servers and child processes). minForks =
    // maxForks: with fewer kept workers than it runs, vitest 3.2 ended the run on 'Terminating worker thread'.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 5, minForks: 5, isolate: false } },
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', 'node_modules/**'],
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
    setupFiles: ['test/helpers/remove-temp-dirs.ts', 'test/helpers/left-running.ts'],
  },
})
