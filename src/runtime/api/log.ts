// log(): the prelude joins the arguments with single spaces; the host writes the text in pieces no larger than
// lograte's one-second bucket, each charged before it is written, once the bucket has room for it. A JavaScript
// program's thread blocks meanwhile; a Repy program's log returns a promise, so only its calling thread waits.
import { argCount, str } from './validate.js'
import { utf8Chunks } from './utf8-chunks.js'
import type { OpTable, VesselEnv } from './types.js'

const delay = (seconds: number): Promise<void> => new Promise((r) => setTimeout(r, Math.ceil(seconds * 1000)))

export function logOps(env: Pick<VesselEnv, 'nanny' | 'output'>): OpTable<'log'> {
  const { nanny } = env
  const write = (chunks: string[], from: number): undefined | Promise<undefined> => {
    for (let i = from; i < chunks.length; i++) {
      const chunk = chunks[i]!
      const bytes = Buffer.byteLength(chunk, 'utf8')
      const wait = nanny.makeRoom('lograte', bytes)
      if (wait > 0) return delay(wait).then(() => write(chunks, i))
      nanny.charge('lograte', bytes)
      env.output(chunk)
    }
    return undefined
  }
  return {
    log(args) {
      argCount('log', args, 1)
      const text = str('log', 'text', args[0])
      return write(utf8Chunks(text, nanny.restrictions.limits.lograte), 0)
    },
  }
}
