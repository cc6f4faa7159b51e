// TCP with a peer outside the sandbox host (a Node server in this test process): the bytes go through the host's
// sockets and the shared rings (net/tcp-shm.ts), not directly between two programs. Data arrives whole and in
// order in both directions, what the host holds back while the program does not read still arrives, and the
// peer's close shows once its data has been read; the awaitable forms wait on this path too. Ports 21230-21239.
import net from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { sharedGuestHost } from '../../helpers/shared-host.js'
import { waitFor } from '../../helpers/wait-for.js'
import { GUEST_HELPERS, netRestrictions } from './fixtures/net-helpers.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts).
const host = sharedGuestHost()
afterAll(() => host.close())

const SERVER = 21230
const RESTRICTIONS = netRestrictions({ conn: [21231, 21232, 21233, 21234, 21235] })

let server: net.Server | null = null
afterEach(() => {
  server?.close()
  server = null
})

function listen(onConnection: (socket: net.Socket) => void): Promise<void> {
  server = net.createServer((socket) => {
    socket.on('error', () => {})
    onConnection(socket)
  })
  return new Promise((resolve) => server!.listen(SERVER, '127.0.0.1', resolve))
}

async function expectOk(program: string): Promise<void> {
  const { output, outcome } = await host.run(GUEST_HELPERS + PATTERN + program, {
    restrictions: RESTRICTIONS,
    timeoutMs: 60_000,
  })
  expect({ output, outcome }).toMatchObject({ output: 'ok\n', outcome: { code: 0 } })
}

/** Guest helpers: byte i of a stream is (i * 7 + 3) % 256. */
const PATTERN = String.raw`
const patterned = (from, n) => { let s = ''; for (let i = from; i < from + n; i++) s += String.fromCharCode((i * 7 + 3) % 256); return s }
const badAt = (from, s) => { for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== ((from + i) * 7 + 3) % 256) return from + i; return -1 }
`
const patterned = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) % 256))

describe('TCP with a peer outside the sandbox host', () => {
  it('echoes a megabyte both ways, in order, with partial sends and would-block', async () => {
    await listen((socket) => socket.pipe(socket))
    await expectOk(String.raw`
const c = await openconnection('127.0.0.1', ${SERVER}, '127.0.0.1', 21231, 5)
const total = 1 << 20
let sent = 0, got = 0, bad = -1
while (got < total) {
  let did = false
  if (sent < total) {
    try { sent += c.send(patterned(sent, Math.min(10000, total - sent))); did = true } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e }
  }
  try { const d = c.recv(30000); if (bad < 0) bad = badAt(got, d); got += d.length; did = true } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e }
  if (!did) await sleep(0.0001)
}
check('received ' + got, got === total)
check('intact (first bad byte ' + bad + ')', bad === -1)
done()
`)
  })

  it('keeps what arrives while the program does not read, and gives it all, then the close', async () => {
    const total = 1 << 20
    let stalled = false
    await listen((socket) => {
      if (socket.remotePort === 21233) {
        // the go-ahead, once the first connection's sender is stuck
        void waitFor(async () => stalled, 'the stall', 60_000).then(() => socket.end('go'))
        return
      }
      socket.end(patterned(total))
      let last = -1
      let still = 0
      // Settled: nothing more has left this process for five polls in a row. The host has read what it could: its
      // ring is full and it holds back the rest of what it read, its socket paused (the kernel may hold more).
      void waitFor(
        async () => {
          const flushed = socket.bytesWritten - socket.writableLength
          still = flushed === last ? still + 1 : 0
          last = flushed
          return still >= 5
        },
        'the sender to settle',
        60_000,
        20,
      ).then(() => {
        stalled = true
      })
    })
    await expectOk(String.raw`
const c = await openconnection('127.0.0.1', ${SERVER}, '127.0.0.1', 21232, 5)
const go = await openconnection('127.0.0.1', ${SERVER}, '127.0.0.1', 21233, 5)
check('go-ahead', (await poll(() => go.recv(2))) === 'go')
let got = 0, bad = -1
for (;;) {
  let d
  try { d = c.recv(1000) } catch (e) {
    if (e instanceof SocketClosedRemote) break
    if (!(e instanceof SocketWouldBlockError)) throw e
    await sleep(0.0001)
    continue
  }
  if (bad < 0) bad = badAt(got, d)
  got += d.length
}
check('received all before the close: ' + got, got === ${total})
check('intact (first bad byte ' + bad + ')', bad === -1)
raises('send after the remote close', SocketClosedRemote, () => c.send('x'))
done()
`)
  }, 90_000)

  it('awaits room, data and the close', async () => {
    let first: net.Socket | null = null
    await listen((socket) => {
      if (socket.remotePort === 21234) {
        first = socket
        socket.pause()
        return
      }
      // The program's signal that it waits for room: the server reads, and answers once it has its marker.
      first!.on('data', (d: Buffer) => {
        if (d.includes('D')) first!.end('hello')
      })
      first!.resume()
    })
    await expectOk(String.raw`
const c = await openconnection('127.0.0.1', ${SERVER}, '127.0.0.1', 21234, 5)
// The server does not read: sends go on until the host's buffers are full.
const block = 'q'.repeat(65536)
for (;;) { try { c.send(block) } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e; break } }
let settled = false
const more = c.sendAsync(block).then((n) => { settled = true; return n })
await sleep(0)
check('sendAsync waits while the server does not read', settled === false)
const signal = await openconnection('127.0.0.1', ${SERVER}, '127.0.0.1', 21235, 5)
check('then sends', (await more) > 0)
check('the marker', (await c.sendAsync('D')) === 1)
let got = ''
while (got.length < 5) got += await c.recvAsync(5 - got.length)
check('recvAsync: ' + got, got === 'hello')
await raisesAsync('recvAsync at the close', SocketClosedRemote, () => c.recvAsync(1))
signal.close()
done()
`)
  })
})
