import { describe, expect, it } from 'vitest'
import { RepyError } from '../../../src/runtime/errors.js'
import { createNanny, type NannyOptions } from '../../../src/runtime/nanny/create-nanny.js'
import type { Nanny } from '../../../src/runtime/nanny/nanny.js'
import { parseRestrictions } from '../../../src/runtime/nanny/restrictions.js'
import { threadCpuSeconds } from '../../../src/runtime/nanny/thread-cpu.js'
import { UsageBoard } from '../../../src/runtime/nanny/usage-board.js'

const FILE = `resource cpu 1
resource memory 15000000
resource diskused 10000
resource events 2
resource filesopened 1
resource netsend 0
resource lograte 1000
resource random 100
resource connport 12345
resource messport 12346
`

function makeNanny(overrides: Partial<NannyOptions> = {}, file = FILE): Nanny {
  return createNanny(parseRestrictions(file), {
    initialDiskUsed: 4096,
    memoryUsed: () => 1234,
    threadCpuSeconds,
    runtime: () => performance.now() / 1000,
    ...overrides,
  })
}

/** A sleepSync that spins for the time asked (the clock really moves) and records each request. */
function busySleeper(): { slept: number[]; busySleep: (s: number) => void } {
  const slept: number[] = []
  const busySleep = (s: number): void => {
    slept.push(s)
    const until = performance.now() + s * 1000
    while (performance.now() < until);
  }
  return { slept, busySleep }
}

function repyErrorOf(fn: () => void): RepyError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(RepyError)
    return err as RepyError
  }
  throw new Error('no error thrown')
}

describe('createNanny: counted items', () => {
  it('exhausts at the limit, frees on release, and an id already held is free', () => {
    const n = makeNanny()
    n.acquire('events', 'main')
    n.acquire('events', 't1')
    n.acquire('events', 't1')
    const err = repyErrorOf(() => n.acquire('events', 't2'))
    expect(err.repyName).toBe('ResourceExhaustedError')
    expect(err.message).toContain("'events'")
    expect(err.message).toContain('2')
    expect(n.usage().items.events).toBe(2)
    n.release('events', 't1')
    n.release('events', 't1')
    n.acquire('events', 't2')
    expect(n.usage().items.events).toBe(2)
  })

  it('has nothing to give for a resource with limit 0', () => {
    const n = makeNanny()
    expect(repyErrorOf(() => n.acquire('insockets', 'a')).repyName).toBe('ResourceExhaustedError')
  })
})

describe('createNanny: ports', () => {
  it('forbids ports outside the set and records ports in use', () => {
    const n = makeNanny()
    n.checkPort('connport', 12345)
    n.checkPort('messport', 12346)
    const err = repyErrorOf(() => n.checkPort('connport', 12346))
    expect(err.repyName).toBe('ResourceForbiddenError')
    expect(err.message).toContain('12346')
    expect(repyErrorOf(() => n.checkPort('messport', 12345)).repyName).toBe('ResourceForbiddenError')
    n.portOpened('connport', 12345)
    expect(n.usage().ports).toEqual({ connport: [12345], messport: [] })
    n.portClosed('connport', 12345)
    expect(n.usage().ports.connport).toEqual([])
  })
})

describe('createNanny: disk', () => {
  it('allows exactly the quota, refuses one byte more and charges nothing on refusal', () => {
    const n = makeNanny()
    n.chargeDisk(10000 - 4096)
    expect(n.usage().diskused).toBe(10000)
    const err = repyErrorOf(() => n.chargeDisk(1))
    expect(err.repyName).toBe('ResourceExhaustedError')
    expect(err.message).toContain('diskused')
    expect(n.usage().diskused).toBe(10000)
    n.chargeDisk(-5000)
    expect(n.usage().diskused).toBe(5000)
    n.chargeDisk(-1e9)
    expect(n.usage().diskused).toBe(0)
  })

  it('refuses a write bigger than the free space at once', () => {
    const n = makeNanny()
    expect(() => n.chargeDisk(10000)).toThrow(RepyError)
    expect(n.usage().diskused).toBe(4096)
  })

  it('treats a bad amount as a programming error', () => {
    const n = makeNanny()
    expect(() => n.chargeDisk(Number.NaN)).toThrow(Error)
    expect(() => n.chargeDisk(Number.NaN)).not.toThrow(RepyError)
  })
})

describe('createNanny: renewables', () => {
  it('forbids a renewable with limit 0, naming it, even for a zero charge', () => {
    const n = makeNanny()
    for (const call of [() => n.waitFor('netsend'), () => n.charge('netsend', 0), () => n.charge('filewrite', 10)]) {
      const err = repyErrorOf(call)
      expect(err.repyName).toBe('ResourceForbiddenError')
      expect(err.message).toMatch(/'(netsend|filewrite)'/)
    }
  })

  it('treats a negative or NaN amount as a programming error', () => {
    const n = makeNanny()
    expect(() => n.charge('lograte', -1)).toThrow(/bad amount/)
    expect(() => n.charge('lograte', Number.NaN)).toThrow(/bad amount/)
    expect(() => n.charge('lograte', -1)).not.toThrow(RepyError)
  })

  it('reports the bucket level in usage', () => {
    const n = makeNanny()
    n.charge('lograte', 500)
    const level = n.usage().renewable.lograte
    expect(level).toBeGreaterThan(400)
    expect(level).toBeLessThanOrEqual(500)
    expect(n.usage().renewable.random).toBe(0)
  })

  it('makes the caller wait: 3x the per-second limit takes about 2 s', () => {
    const n = makeNanny()
    const start = performance.now()
    n.charge('random', 300)
    expect((performance.now() - start) / 1000).toBeGreaterThanOrEqual(1.5)
    const waitStart = performance.now()
    n.waitFor('random')
    expect(performance.now() - waitStart).toBeLessThan(1000)
  })

  it('sleeps through the injected sleepSync', () => {
    const { slept, busySleep } = busySleeper()
    const n = makeNanny({ sleepSync: busySleep })
    n.charge('lograte', 1100)
    expect(slept.length).toBeGreaterThan(0)
    expect(slept[0]).toBeCloseTo(0.1, 1)
  })

  it('within one host call, a charge after a wait, made with the reading from before it, still holds the rate', () => {
    const { busySleep } = busySleeper()
    // lograte 1000/s: 1030 waits, and the second charge, made with the call's reading from before that wait, waits
    // again. The bucket drains only for time that passed, at most the call's whole length: had that older reading
    // moved the bucket's clock back, the second wait's drain would have counted the first wait's time twice (30
    // more, on a quiet machine).
    const n = makeNanny({ sleepSync: busySleep })
    const start = performance.now()
    n.beginCall()
    n.charge('lograte', 1030)
    n.charge('lograte', 30)
    n.endCall()
    const seconds = (performance.now() - start) / 1000
    expect(n.levelAtLastCharge('lograte')).toBeGreaterThanOrEqual(1060 - 1000 * seconds - 2)
  })
})

describe('createNanny: usage, stop times and the board', () => {
  it('returns a deep copy with every resource', () => {
    const n = makeNanny()
    n.portOpened('messport', 12346)
    const u = n.usage()
    expect(u.memory).toBe(1234)
    expect(u.diskused).toBe(4096)
    expect(u.cpuSeconds).toBeGreaterThanOrEqual(0)
    expect(u.renewable.cpu).toBe(u.cpuSeconds)
    expect(Object.keys(u.renewable)).toHaveLength(9)
    u.ports.messport.push(1)
    u.items.events = 99
    expect(n.usage().ports.messport).toEqual([12346])
    expect(n.usage().items.events).toBe(0)
    const stops = n.stopTimes()
    stops.push([1, 1])
    expect(n.stopTimes()).toEqual([])
  })

  it('does not throttle at cpu 1', () => {
    const slept: number[] = []
    const n = makeNanny({ sleepSync: (s) => slept.push(s) })
    const start = performance.now()
    while (performance.now() - start < 50) n.onInterrupt()
    expect(slept).toEqual([])
  })

  it('forbids running at all at cpu 0', () => {
    const n = makeNanny({}, FILE.replace('cpu 1', 'cpu 0'))
    const err = repyErrorOf(() => n.onInterrupt())
    expect(err.repyName).toBe('ResourceForbiddenError')
    expect(err.message).toContain("'cpu'")
  })

  it('records cpu stops when throttling', () => {
    const n = makeNanny({}, FILE.replace('cpu 1', 'cpu 0.1'))
    const start = performance.now()
    while (n.stopTimes().length < 3 && performance.now() - start < 10_000) n.onInterrupt()
    const stops = n.stopTimes()
    expect(stops.length).toBeGreaterThan(0)
    for (const [at, seconds] of stops) {
      expect(at).toBeGreaterThan(0)
      expect(seconds).toBeGreaterThan(0)
    }
  })

  it('publishes to the board on demand and on charges', () => {
    const board = new UsageBoard()
    const n = makeNanny({ board })
    expect(board.read().writes).toBe(0)
    n.acquire('events', 'main')
    n.publish()
    const snap = board.read()
    expect(snap.writes).toBe(1)
    expect(snap.items.events).toBe(1)
    expect(snap.memory).toBe(1234)
    expect(snap.diskused).toBe(4096)
    n.chargeDisk(100) // within 100 ms of the last publish: not written again
    expect(board.read().writes).toBe(1)
  })
})
