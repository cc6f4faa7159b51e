// Host memory held for a vessel's sockets is bounded at its source: remote clients flooding a program that listens
// on two ports and never accepts cannot grow the sandbox host; the program still works once it does accept, and
// another vessel in the same host runs as usual. Ports used here: 21800-21829.
import dgram from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { GENEROUS_RESTRICTIONS } from '../helpers/run-guest.js'
import { SEND_WINDOW, VESSEL_SEND_LIMIT } from '../../src/runtime/net/tcp-broker.js'
import { startVesselHost } from '../helpers/vessel-host.js'
import { waitFor } from '../helpers/wait-for.js'

const root = mkdtempSync(join(tmpdir(), 'flotilla-net-buffers-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const [TCP1, TCP2, UDP, B_TCP, SINK, OUT0] = [21800, 21801, 21802, 21803, 21806, 21810]
const SENDERS = 16
const restrictions = parseRestrictions(`${GENEROUS_RESTRICTIONS}
resource connport ${TCP1}
resource connport ${TCP2}
resource connport ${B_TCP}
resource connport ${B_TCP + 1}
resource messport ${UDP}
${Array.from({ length: SENDERS }, (_, i) => `resource connport ${OUT0 + i}`).join('\n')}
`)
/** Generous: the unsolicited budget (1 MiB) plus, per queued connection, what Node reads ahead of a paused socket. */
const HOST_BUFFER_BOUND = 4 << 20
const CLIENTS_PER_PORT = 64
/** The listener's backlog: its outsockets limit (restrict.ts's generous 5). */
const BACKLOG = 5
const OFFERED = Buffer.alloc(16 << 20, 'z')

const listener = `
const s1 = listenforconnection('127.0.0.1', ${TCP1})
const s2 = listenforconnection('127.0.0.1', ${TCP2})
const udp = listenformessage('127.0.0.1', ${UDP})
log('listening\\n')
for (;;) {
  try { if (udp.getmessage()[2] === 'accept') break } catch (e) { await sleep(0.02) }
}
let sock
for (;;) { try { sock = s1.getconnection()[2]; break } catch (e) { await sleep(0.02) } }
let got = 0
while (got < 1000000) {
  try { got += sock.recv(65536).length } catch (e) { if (e.name !== 'SocketWouldBlockError') throw e; await sleep(0.01) }
}
log('received ' + got + '\\n')
await sleep(120)
`
const bystander = `
const server = listenforconnection('127.0.0.1', ${B_TCP})
const out = await openconnection('127.0.0.1', ${B_TCP}, '127.0.0.1', ${B_TCP + 1}, 5)
let inbound
for (;;) { try { inbound = server.getconnection()[2]; break } catch (e) { await sleep(0.01) } }
let sent = 0, got = ''
while (got.length < 100000) {
  if (sent < 100000) try { sent += out.send('b'.repeat(100000 - sent)) } catch (e) {}
  try { got += inbound.recv(65536) } catch (e) { await sleep(0.01) }
}
log('bystander echoed ' + got.length + '\\n')
`

// Connects to a peer that never reads, sends until SocketWouldBlockError, closes, and again: what it sent stays
// on the host (the closed sockets are still flushing) and must count against the vessel.
const sender = `
const chunk = 's'.repeat(65536)
for (let i = 0; i < ${SENDERS}; i++) {
  const s = await openconnection('127.0.0.1', ${SINK}, '127.0.0.1', ${OUT0} + i, 5)
  let sent = 0
  for (;;) {
    try { sent += s.send(chunk) } catch (e) { if (e.name !== 'SocketWouldBlockError') throw e; break }
  }
  log(sent + '\\n')
  s.close()
}
log('done\\n')
await sleep(120)
`

const rss = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024

describe('host buffers for a vessel', () => {
  it('stay bounded when clients flood a listener that never accepts; the vessel and its neighbour still work', async () => {
    const { host, outputs, outcomes, start } = await startVesselHost(root, restrictions)
    const clients: net.Socket[] = []
    try {
      start('a', listener)
      await waitFor(async () => outputs.get('a')?.includes('listening'), 'the listener')
      const rssBefore = rss(host.pid!)

      for (const port of [TCP1, TCP2]) {
        for (let i = 0; i < CLIENTS_PER_PORT; i++) {
          const c = net.connect({ host: '127.0.0.1', port })
          c.on('error', () => {})
          c.write(OFFERED)
          clients.push(c)
        }
      }
      // Until the flood has stalled: every client connected, those beyond the backlogs closed by the host, and
      // nothing more flushed by any client over five polls in a row.
      let most = 0
      let lastFlushed = -1
      let still = 0
      await waitFor(
        async () => {
          const usage = await host.hostUsage('a')
          most = Math.max(most, usage?.bufferedBytes ?? Infinity)
          const flushed = clients.reduce((sum, c) => sum + c.bytesWritten - c.writableLength, 0)
          still = flushed === lastFlushed ? still + 1 : 0
          lastFlushed = flushed
          const open = clients.filter((c) => !c.destroyed)
          return still >= 5 && open.length <= 2 * BACKLOG && open.every((c) => !c.connecting)
        },
        'the flood to stall',
        60_000,
      )
      expect(most).toBeLessThanOrEqual(HOST_BUFFER_BOUND)
      expect(rss(host.pid!) - rssBefore).toBeLessThan(64 << 20)

      // The vessel still works: it accepts a connection and reads a megabyte from it.
      const udp = dgram.createSocket('udp4')
      const accepted = waitFor(async () => outputs.get('a')?.includes('received'), 'the listener to receive', 60_000)
      udp.send('accept', UDP, '127.0.0.1')
      await accepted
      udp.close()
      expect(outputs.get('a')).toMatch(/received \d+/)
      expect((await host.hostUsage('a'))!.bufferedBytes).toBeLessThanOrEqual(HOST_BUFFER_BOUND)

      // Its neighbour in the same host is unaffected.
      start('b', bystander)
      await waitFor(async () => outcomes.get('b'), 'the bystander', 60_000)
      expect(outcomes.get('b')).toMatchObject({ status: 'Terminated', code: 0 })
      expect(outputs.get('b')).toBe('bystander echoed 100000\n')
    } finally {
      for (const c of clients) c.destroy()
      await host.shutdown()
    }
  }, 120_000)

  it('refuse sends (SocketWouldBlockError) once the vessel has too much unflushed, closed sockets included', async () => {
    const accepted: net.Socket[] = []
    const sink = net.createServer((socket) => accepted.push(socket.pause()))
    await new Promise<void>((r) => sink.listen(SINK, '127.0.0.1', r))
    const { host, outputs, start } = await startVesselHost(root, restrictions)
    try {
      start('s', sender)
      const output = await waitFor(
        async () => outputs.get('s')?.includes('done') && outputs.get('s'),
        'the sender',
        90_000,
      )
      const sent = output.trim().split('\n').slice(0, -1).map(Number)
      expect(sent).toHaveLength(SENDERS)
      expect(sent[0]).toBeGreaterThan(0)
      expect(sent.at(-1)).toBe(0) // refused at once: the vessel's earlier sockets still hold its limit
      expect((await host.hostUsage('s'))!.bufferedBytes).toBeLessThanOrEqual(VESSEL_SEND_LIMIT + SEND_WINDOW)
    } finally {
      await host.shutdown()
      // paused, they would never read the end of the vessel's side
      for (const socket of accepted) socket.destroy()
      sink.close()
    }
  }, 120_000)
})
