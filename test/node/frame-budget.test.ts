import { describe, expect, it } from 'vitest'
import { FrameBudget } from '../../src/node/frame-budget.js'
import { PeerSlots } from '../../src/node/peer-slots.js'
import { NodeError } from '../../src/protocol/errors.js'

const code = (fn: () => unknown): string => {
  try {
    fn()
    return 'ok'
  } catch (err) {
    return err instanceof NodeError ? err.code : String(err)
  }
}

describe('FrameBudget', () => {
  it('bounds each peer to its share and keeps a reserve for small frames; releases once', () => {
    const budget = new FrameBudget({ total: 1000, perPeer: 400, smallFrame: 50, smallReserve: 200 })
    const a = budget.reserve('a', 300)
    expect(() => budget.reserve('a', 200)).toThrow(/this peer's requests being received hold 300 of its 400 bytes/)
    const b = budget.reserve('b', 300)
    expect(code(() => budget.reserve('c', 300))).toBe('E_BUSY') // 600 + 300 > 1000 − 200
    expect(() => budget.reserve('c', 300)).toThrow(/no room for a 300-byte request/)
    const smalls = [budget.reserve('c', 50), budget.reserve('d', 50), budget.reserve('e', 50)] // the reserve
    expect(budget.used()).toBe(750)
    a()
    a()
    b()
    for (const s of smalls) s()
    expect(budget.used()).toBe(0)
    expect(budget.used('a')).toBe(0)
  })
})

describe('PeerSlots', () => {
  it('caps each peer and the total; a release is counted once', () => {
    const slots = new PeerSlots(2, 3)
    const a1 = slots.take('a')
    const a2 = slots.take('a')
    expect(slots.take('a')).toBe('peer')
    const b1 = slots.take('b')
    expect(slots.take('c')).toBe('node')
    for (const r of [a1, a2, b1])
      if (typeof r === 'function') {
        r()
        r()
      }
    expect(slots.used()).toBe(0)
    expect(typeof slots.take('c')).toBe('function')
  })
})
