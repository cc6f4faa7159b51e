// UDP through the real sandbox host: the cases of repy_v2's UDP tests (testsV2) on loopback, ports 20500-20999.
// Build first (./node_modules/.bin/tsc -p tsconfig.json): the sandbox host runs the compiled code in dist/.
import { describe, expect, it } from 'vitest'
import { runGuest } from '../../helpers/run-guest.js'
import { GUEST_HELPERS, netRestrictions } from './fixtures/net-helpers.js'

async function expectOk(program: string, restrictions: string): Promise<void> {
  const { output, outcome } = await runGuest(GUEST_HELPERS + program, { restrictions })
  expect({ output, outcome }).toMatchObject({ output: 'ok\n', outcome: { code: 0 } })
}

describe('UDP', () => {
  it('rejects bad arguments to sendmessage and listenformessage with RepyArgumentError', async () => {
    await expectOk(
      `
const sm = (...a) => raises('sendmessage(' + JSON.stringify(a).slice(0, 80) + ')', RepyArgumentError, () => sendmessage(...a))
const good = ['127.0.0.1', 20501, 'hi', '127.0.0.1', 20500]
const bad = [
  [123, 'x', '1.2.3.4.5', '256.1.1.1', '0.0.0.0', '240.0.0.1', 'localhost', null],
  ['20501', 0, 65536, 2.5, null],
  [5, null, ['a'], '\\u0100'],
  [1, 'x', '', null],
  ['20500', 0, 65536, 1.5, null],
]
for (let i = 0; i < 5; i++) for (const v of bad[i]) { const a = good.slice(); a[i] = v; sm(...a) }
sm('127.0.0.1', 20501, 'hi', '127.0.0.1')
sm('127.0.0.1', 20501, 'hi', '127.0.0.1', 20500, 1)
sm('127.0.0.1', 20500, 'hi', '127.0.0.1', 20500)
for (const a of [[], ['127.0.0.1'], ['127.0.0.1', 20500, 1], [1, 20500], ['127.0.0.1', '20500'], ['127.0.0.1', 0], ['x', 20500]]) {
  raises('listenformessage(' + JSON.stringify(a) + ')', RepyArgumentError, () => listenformessage(...a))
}
done()
`,
      netRestrictions({ mess: [20500, 20501] }),
    )
  })

  it('refuses ports outside messport and foreign local IPs with ResourceForbiddenError', async () => {
    await expectOk(
      `
raises('listen on 20511', ResourceForbiddenError, () => listenformessage('127.0.0.1', 20511))
raises('send from 20511', ResourceForbiddenError, () => sendmessage('127.0.0.1', 20510, 'x', '127.0.0.1', 20511))
raises('connport is not messport', ResourceForbiddenError, () => listenformessage('127.0.0.1', 20512))
raises('listen on 10.1.2.3', ResourceForbiddenError, () => listenformessage('10.1.2.3', 20510))
raises('send from 10.1.2.3', ResourceForbiddenError, () => sendmessage('127.0.0.1', 20511, 'x', '10.1.2.3', 20510))
done()
`,
      netRestrictions({ mess: [20510], conn: [20512] }),
    )
  })

  it('delivers datagrams: would block, sender address, bytes, close', async () => {
    await expectOk(
      `
const l = listenformessage('127.0.0.1', 20520)
raises('listen twice', AlreadyListeningError, () => listenformessage('127.0.0.1', 20520))
raises('getmessage would block', SocketWouldBlockError, () => l.getmessage())
raises('getmessage(1)', RepyArgumentError, () => l.getmessage(1))
check('send', sendmessage('127.0.0.1', 20520, 'hello', '127.0.0.1', 20521) === 5)
check('send bytes', sendmessage('127.0.0.1', 20520, new Uint8Array([0, 200, 255]), '127.0.0.1', 20521) === 3)
check('send empty', sendmessage('127.0.0.1', 20520, '', '127.0.0.1', 20521) === 0)
let m
for (;;) { try { m = l.getmessage(); break } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e } } // no sleep
check('first ' + JSON.stringify(m), m[0] === '127.0.0.1' && m[1] === 20521 && m[2] === 'hello')
check('second', (await poll(() => l.getmessage()))[2] === '\\x00\\xc8\\xff')
check('empty datagram', (await poll(() => l.getmessage()))[2] === '')
check('close', l.close() === true)
check('close again', l.close() === false)
raises('getmessage after close', SocketClosedLocal, () => l.getmessage())
const again = listenformessage('127.0.0.1', 20520)
check('reopen', again.close() === true)
check('usage', getresources()[1].insockets === 0 && getresources()[1].outsockets === 0)
done()
`,
      netRestrictions({ mess: [20520, 20521] }),
    )
  })

  it('sends 9216 bytes and refuses 9217', async () => {
    await expectOk(
      `
const l = listenformessage('127.0.0.1', 20530)
check('9216 sent', sendmessage('127.0.0.1', 20530, 'a'.repeat(9216), '127.0.0.1', 20531) === 9216)
check('9216 received', (await poll(() => l.getmessage()))[2].length === 9216)
raises('9217', RepyArgumentError, () => sendmessage('127.0.0.1', 20530, 'a'.repeat(9217), '127.0.0.1', 20531))
raises('65000', RepyArgumentError, () => sendmessage('127.0.0.1', 20530, 'a'.repeat(65000), '127.0.0.1', 20531))
raises('nothing else arrived', SocketWouldBlockError, () => l.getmessage())
done()
`,
      netRestrictions({ mess: [20530, 20531] }),
    )
  })

  it('sends from a port it listens on, so replies reach the listener', async () => {
    await expectOk(
      `
const a = listenformessage('127.0.0.1', 20540)
const b = listenformessage('127.0.0.1', 20541)
check('a -> b', sendmessage('127.0.0.1', 20541, 'ping', '127.0.0.1', 20540) === 4)
const [ip, port, msg] = await poll(() => b.getmessage())
check('from a ' + port, ip === '127.0.0.1' && port === 20540 && msg === 'ping')
sendmessage(ip, port, 'pong', '127.0.0.1', 20541)
check('reply', (await poll(() => a.getmessage()))[2] === 'pong')
done()
`,
      netRestrictions({ mess: [20540, 20541], insockets: 2, outsockets: 0 }),
    )
  })

  it('keeps UDP and TCP listeners on the same port apart', async () => {
    await expectOk(
      `
const u = listenformessage('127.0.0.1', 20550)
const t = listenforconnection('127.0.0.1', 20550)
sendmessage('127.0.0.1', 20550, 'udp', '127.0.0.1', 20551)
const c = await openconnection('127.0.0.1', 20550, '127.0.0.1', 20551, 5)
const [, , s] = await poll(() => t.getconnection())
c.send('tcp')
check('udp', (await poll(() => u.getmessage()))[2] === 'udp')
check('tcp', (await poll(() => s.recv(10))) === 'tcp')
check('closes', u.close() && t.close())
done()
`,
      netRestrictions({ mess: [20550, 20551], conn: [20550, 20551] }),
    )
  })

  it('counts listeners as insockets and temporary send sockets as outsockets, and releases them', async () => {
    await expectOk(
      `
const l1 = listenformessage('127.0.0.1', 20560)
raises('second listener', ResourceExhaustedError, () => listenformessage('127.0.0.1', 20561))
raises('send without an outsocket', ResourceExhaustedError, () => sendmessage('127.0.0.1', 20560, 'x', '127.0.0.1', 20561))
check('send from the listener needs none', sendmessage('127.0.0.1', 20561, 'x', '127.0.0.1', 20560) === 1)
l1.close()
const l2 = listenformessage('127.0.0.1', 20561)
check('listener released', l2.close() === true)
done()
`,
      netRestrictions({ mess: [20560, 20561], insockets: 1, outsockets: 0 }),
    )
    await expectOk(
      `
const l = listenformessage('127.0.0.1', 20562)
for (let i = 0; i < 20; i++) sendmessage('127.0.0.1', 20562, 'm' + i, '127.0.0.1', 20563)
for (let i = 0; i < 20; i++) check('message ' + i, (await poll(() => l.getmessage()))[2] === 'm' + i)
check('temporary sockets released', getresources()[1].outsockets === 0)
done()
`,
      netRestrictions({ mess: [20562, 20563], outsockets: 1 }),
    )
  })

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

  it('raises AddressBindingError for a vessel IP that is not an address of this machine', async () => {
    const { output, outcome } = await runGuest(
      GUEST_HELPERS +
        `
raises('listen', AddressBindingError, () => listenformessage('203.0.113.7', 20600))
raises('send', AddressBindingError, () => sendmessage('127.0.0.1', 20601, 'x', '203.0.113.7', 20600))
check('items released', getresources()[1].insockets === 0 && getresources()[1].outsockets === 0)
done()
`,
      { restrictions: netRestrictions({ mess: [20600] }), ip: '203.0.113.7' },
    )
    expect({ output, outcome }).toMatchObject({ output: 'ok\n', outcome: { code: 0 } })
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
