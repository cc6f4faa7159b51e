// A guest thread that yields (await sleep(0), or a Repy thread's sleep(0)) lets every other thread run, and the
// host's event loop too: its timers (another thread's sleep) and its messages (an openconnection's answer). Each
// program below hangs if a yield does not give the host a turn; it then runs into runGuest's timeout and ends as
// Stopped instead of printing its line. Ports 21200-21209.
import { afterAll, describe, expect, it } from 'vitest'
import { sharedGuestHost } from '../../helpers/shared-host.js'
import { netRestrictions } from './fixtures/net-helpers.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts).
const host = sharedGuestHost()
afterAll(() => host.close())

const RESTRICTIONS = netRestrictions({ conn: [21200, 21201, 21202, 21203] })

describe('a thread that yields lets the others run', () => {
  it('two JavaScript threads polling with await sleep(0) let a third thread sleep and wake', async () => {
    const { output, outcome } = await host.run(String.raw`
let woke = false
const spins = [0, 0]
const poller = (i) => async () => { while (!woke) { spins[i]++; await sleep(0) } }
createthread(poller(0))
createthread(poller(1))
createthread(async () => { await sleep(0.01); woke = true })
while (!woke) await sleep(0)
log('woke; both pollers ran: ' + (spins[0] > 0 && spins[1] > 0) + '\n')
`)
    expect({ output, outcome }).toMatchObject({ output: 'woke; both pollers ran: true\n', outcome: { code: 0 } })
  })

  it('two JavaScript threads handing a lock back and forth let a third thread sleep and wake', async () => {
    // Each release settles the other thread's acquire: a chain of settled host promises that never needs a timer.
    const { output, outcome } = await host.run(String.raw`
let woke = false
const lock = createlock()
const handoffs = [0, 0]
const worker = (i) => async () => { while (!woke) { await lock.acquire(true); handoffs[i]++; await 0; lock.release() } }
createthread(worker(0))
createthread(worker(1))
await sleep(0.01)
woke = true
log('woke; both threads held the lock: ' + (handoffs[0] > 0 && handoffs[1] > 0) + '\n')
`)
    expect({ output, outcome }).toMatchObject({
      output: 'woke; both threads held the lock: true\n',
      outcome: { code: 0 },
    })
  })

  it('a JavaScript thread spinning on SocketWouldBlockError with sleep(0) lets openconnection complete', async () => {
    // The connection reaches the listener before openconnection's answer reaches the program, so the thread spins
    // on recv, for data the main thread sends only once openconnection has returned.
    const { output, outcome } = await host.run(
      String.raw`
const srv = listenforconnection('127.0.0.1', 21200)
const spin = async (fn) => {
  for (;;) {
    try { return fn() } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e; await sleep(0) }
  }
}
let got = null
createthread(async () => {
  const a = (await spin(() => srv.getconnection()))[2]
  let data = ''
  while (data.length < 4) data += await spin(() => a.recv(4 - data.length))
  got = data
})
const c = await openconnection('127.0.0.1', 21200, '127.0.0.1', 21201, 5)
c.send('ping')
while (got === null) await sleep(0)
log('received ' + got + '\n')
`,
      { restrictions: RESTRICTIONS },
    )
    expect({ output, outcome }).toMatchObject({ output: 'received ping\n', outcome: { code: 0 } })
  })

  it('a Repy thread spinning with sleep(0) lets a sleeping thread wake and openconnection complete', async () => {
    const { output, outcome } = await host.run(
      `
state = {'woke': False, 'accepted': None}
def waker():
  sleep(0.01)
  state['woke'] = True
createthread(waker)
while not state['woke']:
  sleep(0)

srv = listenforconnection('127.0.0.1', 21202)
def acceptor():
  while True:
    try:
      state['accepted'] = srv.getconnection()[2]
      return
    except SocketWouldBlockError:
      sleep(0)
createthread(acceptor)
c = openconnection('127.0.0.1', 21202, '127.0.0.1', 21203, 5)
while state['accepted'] is None:
  sleep(0)
c.send('ping')
got = ''
while len(got) < 4:
  try:
    got += state['accepted'].recv(4 - len(got))
  except SocketWouldBlockError:
    sleep(0)
log('woke and received ' + got + '\\n')
`,
      { program: 'main.r2py', restrictions: RESTRICTIONS },
    )
    expect({ output, outcome }).toMatchObject({ output: 'woke and received ping\n', outcome: { code: 0 } })
  })
})
