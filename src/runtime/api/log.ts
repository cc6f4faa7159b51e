// log(): the prelude joins the arguments with single spaces; the host charges lograte and writes.
import { argCount, str } from './validate.js'
import type { OpTable, VesselEnv } from './types.js'

export function logOps(env: VesselEnv): OpTable {
  return {
    log(args) {
      argCount('log', args, 1)
      const text = str('log', 'text', args[0])
      env.nanny.waitFor('lograte')
      env.output(text)
      env.nanny.charge('lograte', Buffer.byteLength(text, 'utf8'))
      return undefined
    },
  }
}
