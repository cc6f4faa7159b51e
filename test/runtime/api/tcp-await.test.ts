// The awaitable forms of TCP for JavaScript programs: getconnectionAsync, recvAsync and sendAsync wait (a promise)
// where getconnection, recv and send raise SocketWouldBlockError, and otherwise answer, raise and charge exactly
// as they do. Both ends in one program: a direct connection (net/local-ends.ts). Ports 21240-21249.
import { describe, expect, it } from 'vitest'
import { runGuest } from '../../helpers/run-guest.js'
import { GUEST_HELPERS, netRestrictions } from './fixtures/net-helpers.js'

async function expectOk(program: string, restrictions: string): Promise<void> {
  const { output, outcome } = await runGuest(GUEST_HELPERS + program, { restrictions })
  expect({ output, outcome }).toMatchObject({ output: 'ok\n', outcome: { code: 0 } })
}

describe('awaitable TCP calls', () => {
  it('wait for a connection, for data and for room, and answer as the plain calls do', async () => {
    await expectOk(
      String.raw`
const srv = listenforconnection('127.0.0.1', 21240)
// Each awaits before what it waits for happens: the order of events is logged.
const events = []
const accepted = srv.getconnectionAsync().then((r) => { events.push('accepted'); return r })
check('a promise', accepted instanceof Promise)
events.push('connecting')
const c = await openconnection('127.0.0.1', 21240, '127.0.0.1', 21241, 5)
const [ip, port, a] = await accepted
check('remote address', ip === '127.0.0.1' && port === 21241)
check('accepted after connecting: ' + events, events.join() === 'connecting,accepted')

const got = a.recvAsync(10).then((d) => { events.push('received ' + d); return d })
events.push('sending')
check('sendAsync gives the count', (await c.sendAsync('hello')) === 5)
check('recvAsync gives the data: ' + (await got), (await got) === 'hello')
check('received after sending: ' + events, events.slice(2).join() === 'sending,received hello')
// An answer there at once, and a refusal, come as promises too, made with the builtins the prelude took at start.
const ownResolve = Promise.resolve, ownReject = Promise.reject
Promise.resolve = Promise.reject = () => { throw new Error("the program's own") }
const at = c.sendAsync('ab'), refused = a.recvAsync(0)
Promise.resolve = ownResolve
Promise.reject = ownReject
check('an answer there at once is a promise', at instanceof Promise)
check('a refused call is a rejected promise, not a throw', refused instanceof Promise)
await raisesAsync('recvAsync(0) refused', RepyArgumentError, () => refused)
check('data already there', (await at) === 2 && (await a.recvAsync(1)) === 'a' && (await a.recvAsync(5)) === 'b')
check('bytes', (await c.sendAsync(new Uint8Array([0, 255]))) === 2 && (await a.recvAsync(2)) === '\x00\xff')

// The peer does not read: sends fill the send buffer, then one waits until the peer reads.
const block = 'z'.repeat(65536)
let queued = 0
for (;;) { try { queued += c.send(block) } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e; break } }
let room = false
const waiting = c.sendAsync('more').then((n) => { room = true; return n })
await sleep(0)
check('sendAsync waits while the buffer is full', room === false)
let drained = 0
while (drained < queued) drained += (await a.recvAsync(65536)).length
check('then sends', (await waiting) === 4 && (await a.recvAsync(10)) === 'more')

await raisesAsync('recvAsync(0)', RepyArgumentError, () => a.recvAsync(0))
await raisesAsync('sendAsync(1)', RepyArgumentError, () => a.sendAsync(1))
await raisesAsync('sendAsync wide', RepyArgumentError, () => a.sendAsync('\u0100'))

// A wait ends with the peer's close, and with the program's own.
const pending = a.recvAsync(10)
c.close()
await raisesAsync('recvAsync when the peer closes', SocketClosedRemote, () => pending)
await raisesAsync('sendAsync after the peer closed', SocketClosedRemote, () => a.sendAsync('x'))
const c2 = await openconnection('127.0.0.1', 21240, '127.0.0.1', 21242, 5)
const [, , a2] = await srv.getconnectionAsync()
const mine = a2.recvAsync(10)
a2.close()
await raisesAsync('recvAsync when the program closes the socket', SocketClosedLocal, () => mine)
await raisesAsync('recvAsync after close', SocketClosedLocal, () => a2.recvAsync(1))
c2.close()
const waitingServer = srv.getconnectionAsync()
srv.close()
await raisesAsync('getconnectionAsync when the server closes', SocketClosedLocal, () => waitingServer)
done()
`,
      netRestrictions({ conn: [21240, 21241, 21242] }),
    )
  })

  it('charges loopsend and looprecv as send and recv do', async () => {
    await expectOk(
      String.raw`
const t0 = getruntime()
const srv = listenforconnection('127.0.0.1', 21243)
const c = await openconnection('127.0.0.1', 21243, '127.0.0.1', 21244, 5)
const [, , a] = await srv.getconnectionAsync()
const before = getresources()[1]
await c.sendAsync('x'.repeat(1000))
await a.recvAsync(1000)
// and a recv that waits for its data (charged when the data comes)
const waiting = a.recvAsync(1000)
await c.sendAsync('y'.repeat(1000))
check('the waiting recv', (await waiting) === 'y'.repeat(1000))
const after = getresources()[1], leaked = (getruntime() - t0) * 5000
// As in tcp.test.ts: 64 + bytes for the call and 64 on the other resource, each side, twice. getresources() gives
// a rate's level as of its last charge, which may predate this exchange: the leak is counted from the start.
const charged = (r) => after[r] - before[r] <= 2256 + 1 && after[r] - before[r] + leaked >= 2256 - 10
check('loopsend grew ' + (after.loopsend - before.loopsend), charged('loopsend'))
check('looprecv grew ' + (after.looprecv - before.looprecv), charged('looprecv'))
done()
`,
      netRestrictions({ conn: [21243, 21244], loop: 5000 }),
    )
  })
})
