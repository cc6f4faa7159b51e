// UDP through the real sandbox host beyond single calls, on loopback, ports 20500-20999: the bounded queue of a
// listener, ports freed at the program's end and loopback charges. What each call gives and raises is in the
// conformance table (test/conformance/cases/udp.ts).
// Build first (./node_modules/.bin/tsc -p tsconfig.json): the sandbox host runs the compiled code in dist/.
import { afterAll, describe, expect, it } from 'vitest'
import { sharedGuestHost } from '../../helpers/shared-host.js'
import { GUEST_HELPERS, netRestrictions } from './fixtures/net-helpers.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts).
const host = sharedGuestHost()
afterAll(() => host.close())

async function expectOk(program: string, restrictions: string): Promise<void> {
  const { output, outcome } = await host.run(GUEST_HELPERS + program, { restrictions })
  expect({ output, outcome }).toMatchObject({ output: 'ok\n', outcome: { code: 0 } })
}

describe('UDP', () => {
  it('drops datagrams beyond its queue instead of growing without bound', async () => {
    await expectOk(
      `
const l = listenformessage('127.0.0.1', 20570)
for (let i = 0; i < 400; i++) sendmessage('127.0.0.1', 20570, 'x'.repeat(100), '127.0.0.1', 20571)
await sleep(0.3)
let n = 0
for (;;) { try { l.getmessage(); n++ } catch (e) { if (e instanceof SocketWouldBlockError) break; throw e } }
check('queued ' + n, n > 0 && n <= 256)
done()
`,
      netRestrictions({ mess: [20570, 20571] }),
    )
  })

  it('frees its ports when a program ends with listeners open', async () => {
    const restrictions = netRestrictions({ mess: [20580, 20581] })
    await expectOk(
      `
listenformessage('127.0.0.1', 20580)
sendmessage('127.0.0.1', 20580, 'unread', '127.0.0.1', 20581)
done()
`,
      restrictions,
    )
    await expectOk(
      `
const l = listenformessage('127.0.0.1', 20580)
raises('old datagram is gone', SocketWouldBlockError, () => l.getmessage())
done()
`,
      restrictions,
    )
  })

  it('charges loopsend and looprecv', async () => {
    await expectOk(
      `
const l = listenformessage('127.0.0.1', 20590)
const t0 = getruntime(), before = getresources()[1]
sendmessage('127.0.0.1', 20590, 'x'.repeat(1000), '127.0.0.1', 20591)
await poll(() => l.getmessage())
const after = getresources()[1], leaked = (getruntime() - t0) * 5000
// Growth is the charge minus what leaked out of the bucket meanwhile (at most elapsed x limit).
const charged = (r) => after[r] - before[r] <= 1064 + 1 && after[r] - before[r] + leaked >= 1064 - 10
check('loopsend grew ' + before.loopsend + ' -> ' + after.loopsend + ' in ' + leaked / 5000 + ' s', charged('loopsend'))
check('looprecv grew ' + before.looprecv + ' -> ' + after.looprecv + ' in ' + leaked / 5000 + ' s', charged('looprecv'))
check('messport in use ' + JSON.stringify(after.messport), after.messport.length === 1 && after.messport[0] === 20590)
done()
`,
      netRestrictions({ mess: [20590, 20591], loop: 5000 }),
    )
  })
})
