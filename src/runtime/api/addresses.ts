// getmyip and gethostbyname.
import { lookup } from 'node:dns/promises'
import { RepyError } from '../errors.js'
import { argCount, str } from './validate.js'
import type { OpTable, VesselEnv } from './types.js'

export function addressOps(env: VesselEnv): OpTable<'getmyip' | 'gethostbyname'> {
  return {
    // The vessel's IP is configured (the node's public address); nothing goes on the network, so nothing is charged.
    getmyip(args) {
      argCount('getmyip', args, 0)
      return env.ip
    },
    async gethostbyname(args) {
      argCount('gethostbyname', args, 1)
      const name = str('gethostbyname', 'name', args[0], 253, 1)
      // Repy's accounting for a lookup: one request out, one answer in, charged before the lookup.
      env.nanny.charge('netsend', 1024)
      env.nanny.charge('netrecv', 4096)
      try {
        return (await lookup(name, { family: 4 })).address
      } catch (err) {
        throw new RepyError(
          'NetworkAddressError',
          `gethostbyname: cannot resolve '${name}' (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        )
      }
    },
  }
}
