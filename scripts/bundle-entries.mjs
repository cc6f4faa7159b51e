// Bundles each process entry (the CLI, the sandbox host, the vessel worker) into one ESM file, written over tsc's
// output of the same name, so that starting one reads a few files instead of resolving and loading hundreds of
// modules (about 700 for the CLI's libp2p client; 58 for every vessel's worker thread). Run by `npm run build`
// after tsc; without it, tsc's separate files run the same code, only slower to start.
//
// The bundles stay where tsc put the entries, at the same depth under the project root: code in them finds the
// project root and its neighbours by import.meta.url (runtime/sandbox.ts, program-loader.ts, sandbox-host.ts), and
// the sandbox host's permission grants cover dist/ and node_modules/ only. Dynamic imports become chunks next to
// their entry (only the command group being run loads; a JavaScript vessel does not load the Repy compiler).
import { build } from 'esbuild'
import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Native addons (found by node-gyp-build relative to their own package) and what only a debugging run imports. */
const EXTERNAL = ['classic-level', 'cbor-extract', 'sodium-native', 'react-devtools-core']

// CommonJS packages inside an ESM bundle call require() for Node's built-in modules.
const REQUIRE_SHIM =
  "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);"

/** The Repy front end stays tsc's own file, imported only for a Repy program: it finds its guest runtime next to
 *  itself (dist/repy/), and a chunk of the registry's bundle would sit in dist/. */
const keepRepyApart = {
  name: 'keep-repy-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/repy\/front-end\.js$/ }, (args) => ({ path: args.path, external: true }))
  },
}

/** kad-dht's table of 65,536 key prefixes (routing-table/generated-prefix-list.js, which its table refresh indexes by
 *  a 16-bit prefix) is an array literal of 480 KB of source: a node manager kept its source text, the literal's
 *  boilerplate and the array, about 1.5 MB of V8 heap. The bundle reads the same numbers from a file of 4 bytes each
 *  (little-endian) beside the chunks, into a Uint32Array outside the heap (256 KiB). */
const PREFIX_FILE = 'kad-prefixes.bin'
const PREFIX_MODULE = /[\\/]@libp2p[\\/]kad-dht[\\/]dist[\\/]src[\\/]routing-table[\\/]generated-prefix-list\.js$/
const kadPrefixesFromFile = (outdir) => ({
  name: 'kad-prefixes-from-file',
  setup(b) {
    b.onLoad({ filter: PREFIX_MODULE }, async (args) => {
      const prefixes = (await import(pathToFileURL(args.path).href)).default
      const bytes = Buffer.alloc(prefixes.length * 4)
      prefixes.forEach((p, i) => bytes.writeUInt32LE(p, i * 4))
      writeFileSync(join(outdir, PREFIX_FILE), bytes)
      return {
        loader: 'js',
        contents: `import { readFileSync } from 'node:fs'
const bytes = readFileSync(new URL('./${PREFIX_FILE}', import.meta.url))
const prefixes = new Uint32Array(bytes.length / 4)
for (let i = 0; i < prefixes.length; i++) prefixes[i] = bytes.readUInt32LE(i * 4)
export default prefixes
`,
      }
    })
  },
})

const ENTRIES = [
  { source: 'src/cli/main.ts', outdir: 'dist/cli', requireShim: true, plugins: [kadPrefixesFromFile('dist/cli')] },
  { source: 'src/runtime/sandbox-host.ts', outdir: 'dist/runtime', requireShim: false },
  { source: 'src/runtime/vessel-worker.ts', outdir: 'dist/runtime', requireShim: false },
  { source: 'src/runtime/engine-warm-up-worker.ts', outdir: 'dist/runtime', requireShim: false },
  // The front-end registry each vessel thread imports while it boots: as tsc's files it was ten of ours and the
  // quickjs-emscripten package's, read and compiled one by one (12-14 ms of the thread's cpu before it could make its
  // engine, in `flotilla run` on its way to the program); bundled, one file and 3 ms.
  { source: 'src/front-ends.ts', outdir: 'dist', requireShim: false, plugins: [keepRepyApart] },
]

for (const dir of new Set(ENTRIES.map((e) => e.outdir))) {
  for (const file of readdirSync(dir)) if (file.startsWith('chunk-')) rmSync(join(dir, file))
}

for (const entry of ENTRIES) {
  await build({
    entryPoints: [entry.source],
    outdir: entry.outdir,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    external: EXTERNAL,
    banner: entry.requireShim ? { js: REQUIRE_SHIM } : undefined,
    legalComments: 'none',
    // V8 keeps each script's source text for as long as its functions live: the node manager held 3.1 MB of it and
    // each vessel thread its own copy of the worker's. Without the indentation and line breaks (names are kept, so
    // stack traces still name their functions; the source maps beside the bundles give lines and columns, as with
    // `node --enable-source-maps`) the CLI's bundles are 5.2 -> 3.2 MB.
    minifyWhitespace: true,
    logLevel: 'warning',
    plugins: entry.plugins ?? [],
  })
}
