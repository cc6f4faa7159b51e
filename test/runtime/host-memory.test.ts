// What a program opens and closes again and again costs the sandbox host only while it is open. The host keeps a
// program's open handles (files, sockets, listeners); a closed connection's handle used to keep its shared rings
// (128 KB) until the program ended, so a program that connected and closed in a loop grew the host, whose memory
// every vessel of the node shares, without bound. Locks were a host table that only grew; they are the program's
// own objects now (the prelude's). Ports used here: 21900-21999.
import { afterAll, describe, expect, it } from 'vitest'
import { rssKb } from '../helpers/rss.js'
import { sharedGuestHost } from '../helpers/shared-host.js'
import { netRestrictions } from './api/fixtures/net-helpers.js'

const host = sharedGuestHost()
afterAll(() => host.close())

const PORTS = Array.from({ length: 100 }, (_, i) => 21900 + i)
const RESTRICTIONS = netRestrictions({ conn: PORTS, loop: 1e12 })
const rssMb = (pid: number): number => rssKb(pid) / 1024

/** Connects to itself `cycles` times, sends 64 KiB each way (the rings' pages are then in use) and closes both
 *  ends; says 'done', then waits to be stopped (its handles are all closed, the program still runs). */
const churn = (cycles: number) => String.raw`
const srv = listenforconnection('127.0.0.1', 21900)
const block = 'x'.repeat(65536)
const pass = async (from, to) => {
  for (let sent = 0; sent < block.length;) sent += await from.sendAsync(sent ? block.slice(sent) : block)
  for (let got = 0; got < block.length;) got += (await to.recvAsync(block.length)).length
}
for (let done = 0; done < ${cycles};) {
  let c
  try { c = await openconnection('127.0.0.1', 21900, '127.0.0.1', 21901 + (done % 99), 5) } catch (e) {
    if (!(e instanceof CleanupInProgressError)) throw e
    await sleep(0.01)
    continue
  }
  const a = (await srv.getconnectionAsync())[2]
  await pass(c, a)
  await pass(a, c)
  c.close()
  a.close()
  done++
}
log('done\n')
for (;;) await sleep(1)
`

/** The host's RSS (MB) once the program has said 'done', while it still runs; then it is stopped. */
async function rssWhenDone(source: string, restrictions = RESTRICTIONS): Promise<number> {
  const pid = await host.pid()
  let rss = NaN
  const { output } = await host.run(source, {
    restrictions,
    timeoutMs: 120_000,
    stopWhen: (out) => out.includes('done') && ((rss = rssMb(pid)), true),
  })
  expect(output).toBe('done\n')
  return rss
}

describe("the host's memory for what a program opened and closed", () => {
  it('stays put when a program connects, sends and closes 3000 times', async () => {
    const before = await rssWhenDone(churn(100))
    const after = await rssWhenDone(churn(3000))
    // Kept, the closed connections' rings would be 3000 x 128 KB = 375 MB.
    expect(after - before).toBeLessThan(120)
  }, 180_000)

  it('stays put when a program makes a million locks and holds each one', async () => {
    const locks = (n: number) =>
      `for (let i = 0; i < ${n}; i++) createlock().acquire(false)\nlog('done\\n')\nfor (;;) await sleep(1)\n`
    const before = await rssWhenDone(locks(1000))
    const after = await rssWhenDone(locks(1_000_000))
    expect(after - before).toBeLessThan(40)
  }, 180_000)
})
