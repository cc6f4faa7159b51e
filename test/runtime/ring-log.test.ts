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

  it('reads its last bytes across both files as read() holds them, only those', () => {
    const prefix = join(tempDir('flotilla-ring-'), 'log')
    const ring = new RingLog(prefix, 2048)
    for (const line of lines(0, 150).split(/(?<=\n)/)) ring.write(line)
    const all = ring.read()
    const newSize = statSync(ring.newPath).size
    expect(ring.length()).toBe(all.length)
    for (const n of [0, 1, 7, newSize, newSize + 1, all.length - 1, all.length, all.length + 100])
      expect(ring.readLast(n).toString()).toBe(all.subarray(Math.max(0, all.length - n)).toString())
  })

  it('a vessel log tails from an offset, from its oldest byte once that offset has left the ring', () => {
    const prefix = join(tempDir('flotilla-ring-'), 'v1')
    const log = new VesselLog(prefix, 2048)
    const text = lines(0, 300)
    for (const line of text.split(/(?<=\n)/)) log.write(line)
    const kept = Buffer.from(log.read()).toString()
    expect(text.endsWith(kept)).toBe(true)
    const last = log.tail(text.length - 11)
    expect(Buffer.from(last.data).toString()).toBe('line 00299\n')
    expect([last.offset, last.nextOffset]).toEqual([text.length - 11, text.length])
    const gone = log.tail(0)
    expect(Buffer.from(gone.data).toString()).toBe(kept)
    expect(gone.offset).toBe(text.length - kept.length)
    // an offset from before a restart: what is kept
    expect(Buffer.from(log.tail(text.length + 5).data).toString()).toBe(kept)
    expect(log.tail(text.length).data.length).toBe(0)
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
