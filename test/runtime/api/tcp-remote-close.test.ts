// On loopback, Repy's sockets answer at once what the peer did before: the connection openconnection made is there
// for getconnection, the data the peer sent is there for recv, and a peer that closed makes recv raise
// SocketClosedRemote (repy_v2's connectionrecvremoteclose test), never SocketWouldBlockError. Each program repeats
// its exchange many times, without polling or sleeping, so that a race between the two ends shows.
// Ports 21210-21229.
import { describe, expect, it } from 'vitest'
import { runGuest } from '../../helpers/run-guest.js'
import { GUEST_HELPERS, netRestrictions } from './fixtures/net-helpers.js'

const ROUNDS = 60
const CLIENT_PORTS = 8
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i)

describe('TCP on loopback answers what the peer did, at once', () => {
  it(`JavaScript: getconnection, recv of sent data and recv after the peer closed, ${ROUNDS} rounds`, async () => {
    const { output, outcome } = await runGuest(
      GUEST_HELPERS +
        String.raw`
const srv = listenforconnection('127.0.0.1', 21210)
/** What fn returned, or the name of the exception it raised. */
const result = (fn) => { try { return fn() } catch (e) { return e.name } }
const expect = (round, what, got, wanted) => { if (got !== wanted) fails.push('round ' + round + ': ' + what + ': ' + got) }
for (let i = 0; i < ${ROUNDS}; i++) {
  const c = await openconnection('127.0.0.1', 21210, '127.0.0.1', 21211 + i % ${CLIENT_PORTS}, 5)
  const accepted = result(() => srv.getconnection())
  if (!Array.isArray(accepted)) { fails.push('round ' + i + ': getconnection raised ' + accepted); c.close(); continue }
  const a = accepted[2]
  // Half the rounds the accepted side closes, half the connecting side; every other round it sends first.
  const [closer, other] = i % 2 ? [a, c] : [c, a]
  if (i % 4 < 2) {
    closer.send('bye')
    expect(i, 'recv of sent data', result(() => other.recv(10)), 'bye')
  }
  closer.close()
  expect(i, 'recv after the peer closed', result(() => other.recv(10)), 'SocketClosedRemote')
  expect(i, 'send after the peer closed', result(() => other.send('x')), 'SocketClosedRemote')
  other.close()
}
done()
`,
      { restrictions: netRestrictions({ conn: [21210, ...range(21211, CLIENT_PORTS)] }) },
    )
    expect({ output, outcome }).toMatchObject({ output: 'ok\n', outcome: { code: 0 } })
  })

  it(`Repy: repy_v2's recv and send after the remote end closed, ${ROUNDS} rounds`, async () => {
    const { output, outcome } = await runGuest(
      `
tcpserversocket = listenforconnection('127.0.0.1', 21220)
for i in range(${ROUNDS}):
  localport = 21221 + i % ${CLIENT_PORTS}
  conn = openconnection('127.0.0.1', 21220, '127.0.0.1', localport, 1.0)
  (ip, port, serverconn) = tcpserversocket.getconnection()
  if ip != '127.0.0.1' or port != localport:
    log('round', i, ': getconnection answered', ip, port, '\\n')
  serverconn.close()
  # connectionrecvremoteclose in even rounds, its send twin in odd ones
  try:
    if i % 2 == 0:
      answer = conn.recv(10)
    else:
      answer = conn.send('hi')
  except SocketClosedRemote:
    pass
  else:
    log('round', i, ': answered', repr(answer), 'instead of raising SocketClosedRemote\\n')
  conn.close()
log('done\\n')
`,
      {
        program: 'main.r2py',
        restrictions: netRestrictions({ conn: range(21220, CLIENT_PORTS + 1) }),
        timeoutMs: 60_000,
      },
    )
    expect({ output, outcome }).toMatchObject({ output: 'done\n', outcome: { code: 0 } })
  }, 90_000)
})
