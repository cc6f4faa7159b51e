import { describe, expect, it } from 'vitest'
import { RateBucket } from '../../../src/runtime/nanny/rate-bucket.js'

function clock(): { now: () => number; advance: (s: number) => void } {
  let t = 1000
  return {
    now: () => t,
    advance: (s) => {
      t += s
    },
  }
}

describe('RateBucket', () => {
  it('lets up to one second of quota through without waiting', () => {
    const c = clock()
    const b = new RateBucket(100, c.now)
    expect(b.tattle(60)).toBe(0)
    expect(b.tattle(40)).toBe(0)
    expect(b.level()).toBe(100)
  })

  it('asks the caller to wait (c - limit) / limit seconds when over quota', () => {
    const c = clock()
    const b = new RateBucket(100, c.now)
    expect(b.tattle(300)).toBeCloseTo(2)
    c.advance(2)
    expect(b.tattle(0)).toBe(0)
    expect(b.level()).toBeCloseTo(100)
  })

  it('drains nothing for a reading older than its last, and keeps the last', () => {
    const c = clock()
    const b = new RateBucket(100, c.now)
    b.tattle(100, 1010)
    b.tattle(0, 1009.5) // a caller's reading from before a wait
    expect(b.tattle(0, 1010.2)).toBe(0)
    expect(b.levelAtLastTattle()).toBeCloseTo(80) // 0.2 s drained since 1010, not 0.7 s since 1009.5
  })

  it('says how long until an amount fits under the limit, without charging it', () => {
    const c = clock()
    const b = new RateBucket(100, c.now)
    expect(b.roomWait(100)).toBe(0)
    b.tattle(80)
    expect(b.roomWait(20)).toBe(0)
    expect(b.roomWait(50)).toBeCloseTo(0.3)
    expect(b.roomWait(500)).toBeCloseTo(0.8) // more than the limit fits once the bucket is empty
    c.advance(0.3)
    expect(b.roomWait(50)).toBeCloseTo(0)
    expect(b.level()).toBeCloseTo(50)
  })

  it('drains at the limit per second and never below zero', () => {
    const c = clock()
    const b = new RateBucket(100, c.now)
    b.tattle(150)
    c.advance(0.5)
    expect(b.level()).toBeCloseTo(100)
    c.advance(10)
    expect(b.level()).toBe(0)
    expect(b.tattle(250)).toBeCloseTo(1.5)
  })

  it('asks again after a short wait', () => {
    const c = clock()
    const b = new RateBucket(10, c.now)
    expect(b.tattle(30)).toBeCloseTo(2)
    c.advance(1.5)
    expect(b.tattle(0)).toBeCloseTo(0.5)
  })

  it('waits with zero quantity only while over quota ("block first")', () => {
    const c = clock()
    const b = new RateBucket(10, c.now)
    expect(b.tattle(0)).toBe(0)
    b.tattle(20)
    expect(b.tattle(0)).toBeCloseTo(1)
  })

  it('refuses a bad limit or quantity', () => {
    expect(() => new RateBucket(0)).toThrow(/positive/)
    expect(() => new RateBucket(Number.NaN)).toThrow(/positive/)
    const b = new RateBucket(10)
    expect(() => b.tattle(-1)).toThrow(/non-negative/)
    expect(() => b.tattle(Number.NaN)).toThrow(/non-negative/)
  })

  it('uses a real clock by default', () => {
    const b = new RateBucket(1e9)
    expect(b.tattle(5)).toBe(0)
    expect(b.level()).toBeLessThanOrEqual(5)
  })
})
