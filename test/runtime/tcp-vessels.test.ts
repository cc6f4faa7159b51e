// Two vessels of one sandbox host talk over TCP: a direct connection between two workers (net/local-ends.ts), whose
// waits are woken across workers through the host: for data, for room after the peer read, and for the peer's
// close, which recv and send then report at once. Ports 21236-21238.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { startVesselHost } from '../helpers/vessel-host.js'
import { waitFor } from '../helpers/wait-for.js'
import { GUEST_HELPERS, netRestrictions } from './api/fixtures/net-helpers.js'

const root = mkdtempSync(join(tmpdir(), 'flotilla-tcp-vessels-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const restrictions = parseRestrictions(netRestrictions({ conn: [21236, 21237, 21238] }))
const ROUNDS = 200

const sendAll = String.raw`
const sendAll = async (s, m) => { for (let off = 0; off < m.length;) off += await s.sendAsync(off ? m.slice(off) : m) }
const recvAll = async (s, n) => { let m = ''; while (m.length < n) m += await s.recvAsync(n - m.length); return m }
`

const server =
  GUEST_HELPERS +
  sendAll +
  String.raw`
const srv = listenforconnection('127.0.0.1', 21236)
log('listening\n')
const [, , a] = await srv.getconnectionAsync()
for (let i = 0; i < ${ROUNDS}; i++) await sendAll(a, await recvAll(a, 100))
// The client's second connection says it is blocked: read everything up to its marker, then close.
await srv.getconnectionAsync()
for (;;) if ((await a.recvAsync(65536)).includes('D')) break
a.close()
done()
`

const client =
  GUEST_HELPERS +
  sendAll +
  String.raw`
const c = await openconnection('127.0.0.1', 21236, '127.0.0.1', 21237, 5)
let bad = 0
for (let i = 0; i < ${ROUNDS}; i++) {
  const m = String(i).padStart(100, '.')
  await sendAll(c, m)
  if ((await recvAll(c, 100)) !== m) bad++
}
check('echoed ' + ${ROUNDS} + ' messages, ' + bad + ' wrong', bad === 0)
const block = 'q'.repeat(65536)
for (;;) { try { c.send(block) } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e; break } }
let settled = false
const more = c.sendAsync(block).then((n) => { settled = true; return n })
await sleep(0)
check('sendAsync waits while the peer does not read', settled === false)
const signal = await openconnection('127.0.0.1', 21236, '127.0.0.1', 21238, 5)
check('then sends', (await more) > 0)
check('the marker', (await c.sendAsync('D')) === 1)
await raisesAsync('recvAsync at the peer close', SocketClosedRemote, () => c.recvAsync(1))
raises('recv after the peer closed', SocketClosedRemote, () => c.recv(1))
raises('send after the peer closed', SocketClosedRemote, () => c.send('x'))
signal.close()
done()
`

describe('TCP between two vessels of one sandbox host', () => {
  it('exchanges, waits for room and sees the close across the two workers', async () => {
    const { host, outputs, outcomes, start } = await startVesselHost(root, restrictions)
    try {
      start('server', server)
      await waitFor(async () => outputs.get('server')?.includes('listening'), 'the server to listen')
      start('client', client)
      await waitFor(
        async () => outcomes.get('client') && outcomes.get('server'),
        () => `both to end: ${JSON.stringify([...outputs])}`,
        60_000,
      )
      expect(outputs.get('client')).toBe('ok\n')
      expect(outcomes.get('client')).toMatchObject({ code: 0 })
      expect(outputs.get('server')).toBe('listening\nok\n')
      expect(outcomes.get('server')).toMatchObject({ code: 0 })
    } finally {
      await host.shutdown()
    }
  }, 90_000)
})
