// The worker fixtures import the compiled nanny: make a missing build a clear failure, not a module error.
import { existsSync } from 'node:fs'

export function fixtureUrl(name: string): URL {
  const dist = new URL('../../../dist/runtime/nanny/create-nanny.js', import.meta.url)
  if (!existsSync(dist)) throw new Error('dist/ is missing: build with ./node_modules/.bin/tsc -p tsconfig.json first')
  return new URL(`fixtures/${name}`, import.meta.url)
}
