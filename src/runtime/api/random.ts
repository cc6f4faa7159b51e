// randombytes(): 1024 bytes from the operating system's generator, charged to `random`.
import { randomBytes } from 'node:crypto'
import { argCount } from './validate.js'
import type { OpTable, VesselEnv } from './types.js'

export const RANDOM_BLOCK = 1024

export function randomOps(env: VesselEnv): OpTable<'randombytes'> {
  return {
    randombytes(args) {
      argCount('randombytes', args, 0)
      env.nanny.waitFor('random')
      const bytes = randomBytes(RANDOM_BLOCK).toString('latin1')
      env.nanny.charge('random', RANDOM_BLOCK)
      return bytes
    },
  }
}
