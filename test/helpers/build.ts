// The tests run the CLI and the sandbox host from dist/: `npm test` builds it first.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..', '..')

export function requireBuild(): void {
  for (const file of [
    'dist/cli/main.js',
    'dist/runtime/sandbox-host.js',
    'dist/repy/guest-runtime.js',
    'dist/front-ends.js',
  ]) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: build with npm run build first`)
  }
}
