import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import type { ResourceUsage } from '../../../src/runtime/nanny/resources.js'
import { type BoardSnapshot, UsageBoard } from '../../../src/runtime/nanny/usage-board.js'
import { fixtureUrl } from './dist-fixture.js'

function numbers(s: BoardSnapshot): number[] {
  const { renewable, memory, diskused, items, cpuSeconds, stops } = s
  return [
    ...Object.values(renewable),
    memory,
    diskused,
    ...Object.values(items),
    cpuSeconds,
    stops.count,
    stops.seconds,
  ]
}

describe('UsageBoard', () => {
  it('reads back what was written, without ports', () => {
    const board = new UsageBoard()
    const usage: ResourceUsage = {
      renewable: {
        cpu: 1.5,
        filewrite: 2,
        fileread: 3,
        netsend: 4,
        netrecv: 5,
        loopsend: 6,
        looprecv: 7,
        lograte: 8,
        random: 9,
      },
      memory: 10,
      diskused: 11,
      items: { events: 12, filesopened: 13, insockets: 14, outsockets: 15 },
      ports: { messport: [1], connport: [2] },
      cpuSeconds: 1.5,
    }
    board.write(usage, { count: 3, seconds: 0.25 })
    const snap = new UsageBoard(board.sab).read()
    expect(snap).toEqual({
      renewable: usage.renewable,
      memory: 10,
      diskused: 11,
      items: usage.items,
      cpuSeconds: 1.5,
      stops: { count: 3, seconds: 0.25 },
      writes: 1,
      consistent: true,
    })
  })

  it('reads all zeros before the first write', () => {
    const snap = new UsageBoard().read()
    expect(snap.writes).toBe(0)
    expect(numbers(snap).every((n) => n === 0)).toBe(true)
  })

  it('refuses a buffer that is too small', () => {
    expect(() => new UsageBoard(new SharedArrayBuffer(16))).toThrow(/needs/)
  })

  it('gives up (flagged inconsistent) on a writer that died halfway through a write', () => {
    const board = new UsageBoard()
    new Int32Array(board.sab, 0, 1)[0] = 1
    const start = performance.now()
    expect(board.read().consistent).toBe(false)
    expect(performance.now() - start).toBeLessThan(5000)
  })

  it('gives consistent snapshots while another thread writes', async () => {
    const board = new UsageBoard()
    const done = new SharedArrayBuffer(4)
    const flag = new Int32Array(done)
    const writes = 200_000
    const worker = new Worker(fixtureUrl('board-writer.mjs'), { workerData: { sab: board.sab, done, writes } })
    const exited = new Promise((resolve, reject) => {
      worker.once('exit', resolve)
      worker.once('error', reject)
    })
    await new Promise((resolve) => worker.once('online', resolve))
    Atomics.store(flag, 0, 1)
    Atomics.notify(flag, 0)
    let reads = 0
    const deadline = performance.now() + 20_000
    while (Atomics.load(flag, 0) !== 2 && performance.now() < deadline) {
      const snap = board.read()
      const values = numbers(snap)
      expect(snap.consistent).toBe(true)
      expect(new Set(values).size).toBe(1)
      reads++
    }
    await exited
    const last = board.read()
    expect(numbers(last).every((n) => n === writes)).toBe(true)
    expect(last.writes).toBe(writes)
    expect(reads).toBeGreaterThan(0)
  })
})
