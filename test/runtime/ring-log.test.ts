// The ring log keeps its .new file open between writes: rotation, closing and removal must still keep exactly the
// last bytes written, in order.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RingLog } from '../../src/runtime/ring-log.js'
import { VesselLog } from '../../src/node/vessel-log.js'
import { tempDir } from '../helpers/temp-dir.js'

const lines = (from: number, to: number): string =>
  Array.from({ length: to - from }, (_, i) => `line ${String(from + i).padStart(5, '0')}\n`).join('')

describe('RingLog', () => {
  it('keeps the last bytes across rotations, each half never above half the size', () => {
    const prefix = join(tempDir('flotilla-ring-'), 'log')
    const ring = new RingLog(prefix, 2048)
    const all = lines(0, 400) // 11 bytes a line: 4400 bytes, four rotations
    for (const line of all.split(/(?<=\n)/)) ring.write(line)
    const kept = ring.read().toString()
    expect(all.endsWith(kept)).toBe(true)
    expect(kept.length).toBeGreaterThan(1024)
    expect(statSync(ring.newPath).size).toBeLessThan(1024)
    expect(statSync(ring.oldPath).size).toBe(1024)
  })

  it('goes on after close() in the same file, and a new ring on the same files continues it', () => {
    const prefix = join(tempDir('flotilla-ring-'), 'log')
    const ring = new RingLog(prefix, 1 << 16)
    ring.write('one\n')
    ring.close()
    ring.write('two\n')
    ring.close()
    new RingLog(prefix, 1 << 16).write('three\n')
    expect(readFileSync(ring.newPath, 'utf8')).toBe('one\ntwo\nthree\n')
  })

  it('a vessel log cleared (its files removed) starts empty and writes to a new file', () => {
    const prefix = join(tempDir('flotilla-ring-'), 'v1')
    const log = new VesselLog(prefix, 4096)
    log.write('before\n')
    log.clear()
    expect(existsSync(`${prefix}.new`)).toBe(false)
    log.write('after\n')
    expect(Buffer.from(log.read()).toString()).toBe('after\n')
    expect(readFileSync(`${prefix}.new`, 'utf8')).toBe('after\n')
  })

  it('a file removed by someone else is made again within a second', () => {
    const prefix = join(tempDir('flotilla-ring-'), 'log')
    let now = 0
    const ring = new RingLog(prefix, 4096, () => now)
    ring.write('first\n')
    rmSync(ring.newPath)
    now += 999
    ring.write('lost\n') // the open file takes it, gone with its name
    expect(existsSync(ring.newPath)).toBe(false)
    now += 1
    ring.write('found\n')
    expect(readFileSync(ring.newPath, 'utf8')).toBe('found\n')
  })
})
