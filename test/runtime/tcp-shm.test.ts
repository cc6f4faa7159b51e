// The shared rings of a TCP connection (net/tcp-shm.ts): bytes go through whole and in order, across the end of
// the ring and across the wrap of the 32-bit counters; each side takes only what is there and puts only what fits.
import { describe, expect, it } from 'vitest'
import { DRAIN, READ, RING_BYTES, ROOM, TcpCtl, TcpShared, WRITE } from '../../src/runtime/net/tcp-shm.js'
import { GuestBytes } from '../../src/runtime/guest-value.js'

const bytes = (from: number, n: number): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => ((from + i) * 13) % 256))
const latin1 = (b: Buffer): string => b.toString('latin1')
const noop = () => {}
/** The worker takes up to `max` received bytes as a string. */
const take = (worker: TcpShared, max: number): string => worker.received(max, noop)?.toString() ?? ''

/** A host side and a worker side of one connection, the worker's on the very memory the host made. */
function pair(): { host: TcpShared; worker: TcpShared } {
  const host = TcpShared.forCtl(new TcpCtl())
  return { host, worker: new TcpShared(host.shm) }
}

describe('TCP shared rings', () => {
  it('carry received bytes to the worker across the end of the ring, taking only what fits', () => {
    const { host, worker } = pair()
    let sent = 0
    let got = ''
    // Uneven steps, so that puts and takes straddle the end of the ring many times.
    for (let round = 0; round < 50; round++) {
      const chunk = bytes(sent, 5000 + round * 777)
      const n = host.putReceived(chunk)
      expect(n).toBe(Math.min(chunk.length, RING_BYTES - (sent - got.length)))
      sent += n
      got += take(worker, 3000 + round * 1111)
    }
    got += take(worker, RING_BYTES)
    expect(got.length).toBe(sent)
    expect(got).toBe(latin1(bytes(0, sent)))
    expect(take(worker, 10)).toBe('')
  })

  it('carry sent bytes to the host, and straight to a direct peer', () => {
    const { host, worker } = pair()
    const peer = new TcpShared(host.shm) // a direct peer's worker reads the same send ring
    let put = 0
    let taken = ''
    for (let round = 0; round < 50; round++) {
      const s = latin1(bytes(put, 4096 + round * 531))
      const n = Math.min(s.length, RING_BYTES - worker.sendFill())
      worker.putSent(s, n)
      put += n
      taken += round % 2 ? latin1(host.takeSent()) : (peer.sent(7000, noop)?.toString() ?? '')
    }
    taken += latin1(host.takeSent())
    expect(taken).toBe(latin1(bytes(0, put)))
    expect(worker.sendFill()).toBe(0)
  })

  it('take received bytes only once they are copied, so the host cannot reuse their room meanwhile', () => {
    const { host, worker } = pair()
    host.putReceived(bytes(0, RING_BYTES - 100))
    take(worker, RING_BYTES - 200) // the next bytes straddle the end of the ring
    host.putReceived(bytes(RING_BYTES - 100, 300))
    let taken = 0
    const out = worker.received(1000, () => taken++)!
    expect(out.length).toBe(400)
    const target = Buffer.alloc(410)
    out.copyTo(target, 10)
    expect(latin1(target.subarray(10))).toBe(latin1(bytes(RING_BYTES - 200, 400)))
    expect(worker.recvFill()).toBe(400) // copied, not yet taken
    expect(host.putReceived(bytes(0, RING_BYTES))).toBe(RING_BYTES - 400)
    expect(taken).toBe(0)
    out.take()
    expect(taken).toBe(1)
    expect(worker.recvFill()).toBe(RING_BYTES - 400)
    expect(() => out.take()).toThrow(/twice/)
  })

  it("put a guest's lent bytes into the send ring, and refuse them once their call is over", () => {
    const { host, worker } = pair()
    const memory = new Uint8Array(bytes(0, 1000))
    const lent = new GuestBytes(() => memory, 100, 500)
    worker.putSent(lent, 300)
    expect(latin1(host.takeSent())).toBe(latin1(bytes(100, 300)))
    expect(lent.toString()).toBe(latin1(bytes(100, 500)))
    lent.end()
    expect(() => worker.putSent(lent, 300)).toThrow(/after their call/)
    expect(worker.sendFill()).toBe(0)
  })

  it('keep working when the counters wrap past 2^31 and 2^32', () => {
    const { host, worker } = pair()
    const words = new Int32Array(host.shm.ctl)
    for (const start of [2 ** 31 - 100, -100]) {
      // as Int32: just below 2^31, and just below 2^32
      words.fill(start, 0, 4)
      host.putReceived(bytes(0, 300))
      expect(worker.recvFill()).toBe(300)
      expect(take(worker, 1000)).toBe(latin1(bytes(0, 300)))
      worker.putSent(latin1(bytes(5, 300)), 300)
      expect(host.sendFill()).toBe(300)
      expect(latin1(host.takeSent())).toBe(latin1(bytes(5, 300)))
    }
  })

  it('record what the worker asked for and waits for, each taken once', () => {
    const { host, worker } = pair()
    expect(worker.ask(DRAIN)).toBe(true)
    expect(worker.ask(DRAIN)).toBe(false) // asked already: no second note
    expect(worker.ask(ROOM)).toBe(true)
    expect(host.asked()).toBe(DRAIN | ROOM)
    host.take(DRAIN)
    expect(host.asked()).toBe(ROOM)
    expect(worker.ask(DRAIN)).toBe(true)
    worker.wait(READ)
    expect(host.woken(WRITE)).toBe(false)
    expect(host.woken(READ | WRITE)).toBe(true)
    expect(host.woken(READ)).toBe(false)
  })

  it('give each connection a key of its own', () => {
    const keys = new Set(Array.from({ length: 100 }, () => new TcpCtl().key()))
    expect(keys.size).toBe(100)
    const ctl = new TcpCtl()
    expect(new TcpCtl(ctl.ctl).key()).toBe(ctl.key())
  })
})
