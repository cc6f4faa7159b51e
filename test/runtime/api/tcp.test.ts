// TCP through the real sandbox host: the cases of repy_v2's TCP tests (testsV2) on loopback, ports 20000-20499.
// Build first (./node_modules/.bin/tsc -p tsconfig.json): the sandbox host runs the compiled code in dist/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { runGuest } from '../../helpers/run-guest.js'
import { GUEST_HELPERS, netRestrictions } from './fixtures/net-helpers.js'

async function expectOk(program: string, restrictions: string): Promise<void> {
  const { output, outcome } = await runGuest(GUEST_HELPERS + program, { restrictions })
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
  it('rejects bad arguments to openconnection and listenforconnection with RepyArgumentError', async () => {
    await expectOk(
      `
const oc = (...a) => raisesAsync('openconnection(' + JSON.stringify(a) + ')', RepyArgumentError, () => openconnection(...a))
const good = ['127.0.0.1', 20001, '127.0.0.1', 20000, 5]
const bad = [
  [123, 'x', '127.0.0.1.1', '256.0.0.1', '0.1.2.3', '224.0.0.1', 'localhost', '192.168.0.0', null],
  ['20001', 0, 65536, -1, 1.5, true, null],
  [123, 'x', '1.2.3', '255.1.1.1', null],
  ['20000', 0, 70000, 2.5, null],
  ['5', 0, -1, null, true],
]
for (let i = 0; i < 5; i++) for (const v of bad[i]) { const a = good.slice(); a[i] = v; await oc(...a) }
await oc('127.0.0.1', 20001, '127.0.0.1', 20000)
await oc('127.0.0.1', 20001, '127.0.0.1', 20000, 5, 6)
await oc('127.0.0.1', 20000, '127.0.0.1', 20000, 5)
for (const a of [[], ['127.0.0.1'], ['127.0.0.1', 20000, 1], [1, 20000], ['127.0.0.1', '20000'], ['127.0.0.1', 0], ['127.0.0.1', 65536], ['x', 20000]]) {
  raises('listenforconnection(' + JSON.stringify(a) + ')', RepyArgumentError, () => listenforconnection(...a))
}
done()
`,
      netRestrictions({ conn: [20000, 20001] }),
    )
  })

  it('refuses ports outside connport and foreign local IPs with ResourceForbiddenError', async () => {
    await expectOk(
      `
raises('listen on 20011', ResourceForbiddenError, () => listenforconnection('127.0.0.1', 20011))
await raisesAsync('connect from 20011', ResourceForbiddenError, () => openconnection('127.0.0.1', 20010, '127.0.0.1', 20011, 1))
raises('listen on 10.1.2.3', ResourceForbiddenError, () => listenforconnection('10.1.2.3', 20010))
await raisesAsync('connect from 10.1.2.3', ResourceForbiddenError, () => openconnection('127.0.0.1', 20011, '10.1.2.3', 20010, 1))
raises('udp messport is not connport', ResourceForbiddenError, () => listenforconnection('127.0.0.1', 20012))
const s = listenforconnection('127.0.0.1', 20010)
check('close', s.close() === true)
done()
`,
      netRestrictions({ conn: [20010], mess: [20012] }),
    )
  })

  it('raises AlreadyListeningError, DuplicateTupleError and ConnectionRefusedError', async () => {
    await expectOk(
      `
const srv = listenforconnection('127.0.0.1', 20020)
raises('listen twice', AlreadyListeningError, () => listenforconnection('127.0.0.1', 20020))
await raisesAsync('connect from a listening port', AlreadyListeningError, () => openconnection('127.0.0.1', 20021, '127.0.0.1', 20020, 1))
const c = await openconnection('127.0.0.1', 20020, '127.0.0.1', 20022, 5)
await raisesAsync('same tuple twice', DuplicateTupleError, () => openconnection('127.0.0.1', 20020, '127.0.0.1', 20022, 5))
await raisesAsync('nobody listens', ConnectionRefusedError, () => openconnection('127.0.0.1', 20023, '127.0.0.1', 20024, 2))
check('server close', srv.close() === true)
check('server close again', srv.close() === false)
raises('getconnection after close', SocketClosedLocal, () => srv.getconnection())
const again = listenforconnection('127.0.0.1', 20020)
check('listen again after close', again.close() === true)
const usage = getresources()[1]
check('outsockets in use ' + usage.outsockets, usage.outsockets === 1)
check('insockets in use ' + usage.insockets, usage.insockets === 0)
done()
`,
      netRestrictions({ conn: [20020, 20021, 20022, 20023, 20024] }),
    )
  })

  it('exchanges data: would block, busy-polled recv, remote and local close', async () => {
    await expectOk(
      pair(20030, 20031) +
        `
raises('getconnection would block', SocketWouldBlockError, () => srv.getconnection())
raises('recv would block', SocketWouldBlockError, () => a.recv(10))
check('send', c.send('hello') === 5)
let got
for (;;) { try { got = a.recv(3); break } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e } } // no sleep
check('recv at most n: ' + got, got === 'hel')
check('rest', (await poll(() => a.recv(100))) === 'lo')
check('empty send', c.send('') === 0)
check('bytes', a.send(new Uint8Array([0, 255, 10])) === 3)
check('bytes back', (await poll(() => c.recv(10))) === '\\x00\\xff\\n')
raises('recv(0)', RepyArgumentError, () => c.recv(0))
raises('recv("1")', RepyArgumentError, () => c.recv('1'))
raises('recv()', RepyArgumentError, () => c.recv())
raises('send(1)', RepyArgumentError, () => c.send(1))
raises('send(wide)', RepyArgumentError, () => c.send('\\u0100'))
raises('send(a, b)', RepyArgumentError, () => c.send('a', 'b'))
raises('close(1)', RepyArgumentError, () => c.close(1))
check('send before close', c.send('bye') === 3)
check('close', c.close() === true)
check('close again', c.close() === false)
raises('send after local close', SocketClosedLocal, () => c.send('x'))
raises('recv after local close', SocketClosedLocal, () => c.recv(1))
check('data sent before close arrives', (await poll(() => a.recv(100))) === 'bye')
await raisesAsync('recv after remote close', SocketClosedRemote, () => poll(() => a.recv(1)))
raises('send after remote close', SocketClosedRemote, () => a.send('x'))
check('accepted close', a.close() === true)
done()
`,
      netRestrictions({ conn: [20030, 20031] }),
    )
  })

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

  it('keeps accepted connections when the listener closes', async () => {
    await expectOk(
      pair(20050, 20051) +
        `
check('listener close', srv.close() === true)
check('send after listener close', c.send('still here') === 10)
check('recv after listener close', (await poll(() => a.recv(100))) === 'still here')
check('send back', a.send('yes') === 3)
check('recv back', (await poll(() => c.recv(100))) === 'yes')
await raisesAsync('connect to the closed listener', ConnectionRefusedError, () => openconnection('127.0.0.1', 20050, '127.0.0.1', 20052, 2))
done()
`,
      netRestrictions({ conn: [20050, 20051, 20052] }),
    )
  })

  it('limits insockets and outsockets, and gives them back on close', async () => {
    await expectOk(
      `
const s1 = listenforconnection('127.0.0.1', 20060)
const s2 = listenforconnection('127.0.0.1', 20061)
raises('third listener', ResourceExhaustedError, () => listenforconnection('127.0.0.1', 20062))
s2.close()
const s3 = listenforconnection('127.0.0.1', 20062)
const c1 = await openconnection('127.0.0.1', 20060, '127.0.0.1', 20063, 5)
const [, , a1] = await poll(() => s1.getconnection())
const c2 = await openconnection('127.0.0.1', 20060, '127.0.0.1', 20064, 5)
await raisesAsync('fourth outsocket', ResourceExhaustedError, () => openconnection('127.0.0.1', 20062, '127.0.0.1', 20065, 5))
await raisesAsync('accept beyond outsockets', ResourceExhaustedError, () => poll(() => s1.getconnection()))
await raisesAsync('the refused accept closes the socket', SocketClosedRemote, () => poll(() => c2.recv(1)))
c2.close()
c1.close()
const c3 = await openconnection('127.0.0.1', 20062, '127.0.0.1', 20065, 5)
const [, , a3] = await poll(() => s3.getconnection())
check('after release', c3.send('x') === 1 && (await poll(() => a3.recv(1))) === 'x')
done()
`,
      netRestrictions({ conn: [20060, 20061, 20062, 20063, 20064, 20065], insockets: 2, outsockets: 3 }),
    )
  })

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

  it('raises AddressBindingError for a vessel IP that is not an address of this machine', async () => {
    // 203.0.113.0/24 is TEST-NET-3: never local, and a failed bind sends nothing.
    const { output, outcome } = await runGuest(
      GUEST_HELPERS +
        `
check('getmyip', getmyip() === '203.0.113.7')
raises('listen', AddressBindingError, () => listenforconnection('203.0.113.7', 20100))
await raisesAsync('connect', AddressBindingError, () => openconnection('127.0.0.1', 20101, '203.0.113.7', 20100, 1))
check('items released', getresources()[1].insockets === 0 && getresources()[1].outsockets === 0)
done()
`,
      { restrictions: netRestrictions({ conn: [20100] }), ip: '203.0.113.7' },
    )
    expect({ output, outcome }).toMatchObject({ output: 'ok\n', outcome: { code: 0 } })
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
