// TCP through the real sandbox host beyond single calls, on loopback, ports 20000-20499: megabytes with backpressure,
// ports freed at the program's end, loopback charges and a connect timeout. What each call gives and raises is in
// the conformance table (test/conformance/cases/tcp.ts).
// Build first (./node_modules/.bin/tsc -p tsconfig.json): the sandbox host runs the compiled code in dist/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
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

/** Guest code: connects lport -> sport and accepts it; defines `srv`, `c` (client side), `a` (accepted side). */
const pair = (sport: number, lport: number) => `
const srv = listenforconnection('127.0.0.1', ${sport})
const c = await openconnection('127.0.0.1', ${sport}, '127.0.0.1', ${lport}, 5)
const [rip, rport, a] = await poll(() => srv.getconnection())
check('remote address ' + rip + ':' + rport, rip === '127.0.0.1' && rport === ${lport})
`

const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0

describe('TCP', () => {
  it('moves megabytes with partial sends, would-block and backpressure', async () => {
    await expectOk(
      pair(20040, 20041) +
        `
let chunk = ''
for (let i = 0; i < 65536; i++) chunk += String.fromCharCode(i % 251)
const total = 4 * 1024 * 1024
let sent = 0, blocked = 0
// The receiver does not read: the sender must eventually be told it would block.
for (;;) {
  try { const n = c.send(chunk); check('send count ' + n, n > 0 && n <= chunk.length); sent += n } catch (e) {
    if (!(e instanceof SocketWouldBlockError)) throw e
    blocked++; break
  }
  if (sent > 64 * 1024 * 1024) break
}
check('send eventually blocks (sent ' + sent + ')', blocked === 1)
let received = 0, bad = 0, offset = 0
const want = sent + total
let queued = sent
while (received < want) {
  if (queued < want) { try { const n = c.send(chunk.slice(0, Math.min(chunk.length, want - queued))); queued += n } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e } }
  let got
  try { got = a.recv(100000) } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e; await sleep(0.001); continue }
  for (let i = 0; i < got.length; i += 997) if (got.charCodeAt(i) !== ((received + i) % 65536) % 251) bad++
  received += got.length
}
check('received ' + received + ' of ' + want, received === want)
check('data intact (' + bad + ' bad samples)', bad === 0)
done()
`,
      netRestrictions({ conn: [20040, 20041] }),
    )
  }, 60_000)

  it('frees its ports when a program ends with sockets open', async () => {
    const restrictions = netRestrictions({ conn: [20070, 20071] })
    await expectOk(pair(20070, 20071) + 'c.send("unread")\ndone()\n', restrictions)
    await expectOk(
      `
const s1 = listenforconnection('127.0.0.1', 20070)
const s2 = listenforconnection('127.0.0.1', 20071)
check('closes', s1.close() && s2.close())
done()
`,
      restrictions,
    )
  })

  it('charges loopsend and looprecv for loopback traffic', async () => {
    await expectOk(
      'const t0 = getruntime()\n' +
        pair(20080, 20081) +
        `
const before = getresources()[1]
c.send('x'.repeat(1000))
await poll(() => a.recv(1000))
const after = getresources()[1], leaked = (getruntime() - t0) * 5000
// Growth is the charge minus what leaked out of the bucket meanwhile (at most elapsed x limit). getresources()
// gives a rate's level as of its last charge, which may predate this exchange: the leak is counted from the start.
const charged = (r) => after[r] - before[r] <= 1128 + 1 && after[r] - before[r] + leaked >= 1128 - 10
check('loopsend grew ' + before.loopsend + ' -> ' + after.loopsend + ' in ' + leaked / 5000 + ' s', charged('loopsend'))
check('looprecv grew ' + before.looprecv + ' -> ' + after.looprecv + ' in ' + leaked / 5000 + ' s', charged('looprecv'))
check('netsend untouched', after.netsend === 0)
check('connport in use: ' + JSON.stringify(after.connport), after.connport.includes(20080) && after.connport.includes(20081))
done()
`,
      netRestrictions({ conn: [20080, 20081], loop: 5000 }),
    )
  })

  it.skipIf(!hasPython)('raises TimeoutError when a connection cannot complete in time', async () => {
    // A listener whose backlog is full drops our SYNs: a loopback-only way to make connect hang.
    const script = [
      'import socket, time',
      's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      "s.bind(('127.0.0.1', 20090)); s.listen(0)",
      'cs = []',
      'for i in range(3):',
      '  c = socket.socket(); c.setblocking(False)',
      "  try: c.connect(('127.0.0.1', 20090))",
      '  except BlockingIOError: pass',
      '  cs.append(c)',
      "time.sleep(0.3); print('ready', flush=True); time.sleep(30)",
    ].join('\n')
    const py: ChildProcess = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      await new Promise<void>((resolve) => py.stdout!.once('data', () => resolve()))
      await expectOk(
        `
const t0 = getruntime()
await raisesAsync('full backlog', TimeoutError, () => openconnection('127.0.0.1', 20090, '127.0.0.1', 20091, 0.5))
const t = getruntime() - t0
check('waited about the timeout: ' + t, t >= 0.45 && t < 3)
check('outsocket released', getresources()[1].outsockets === 0)
done()
`,
        netRestrictions({ conn: [20091] }),
      )
    } finally {
      py.kill()
    }
  })
})
