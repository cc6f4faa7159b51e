// Bundles the Python runtime that runs inside QuickJS (src/repy/guest/main.ts) into one script the sandbox
// evaluates: dist/repy/guest-runtime.js. Run by `npm run build` after tsc.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/repy/guest/main.ts'],
  outfile: 'dist/repy/guest-runtime.js',
  bundle: true,
  format: 'iife',
  target: 'es2022',
  platform: 'neutral',
  legalComments: 'none',
  logLevel: 'warning',
})
