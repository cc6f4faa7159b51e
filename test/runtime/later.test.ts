// Later (src/runtime/later.ts): an operation's answer that it settles itself, once; its listener runs as it is
// settled, in the same turn, and map carries values and errors through.
import { describe, expect, it } from 'vitest'
import { Later, laterPromise } from '../../src/runtime/later.js'
import { OutBytes } from '../../src/runtime/guest-value.js'

describe('Later', () => {
  it('runs its listener as it is settled, once, and keeps the first answer', () => {
    const later = new Later<number>()
    const seen: Array<[boolean, unknown]> = []
    later.whenSettled((ok, value) => seen.push([ok, value]))
    expect(seen).toEqual([])
    later.resolve(1)
    expect(seen).toEqual([[true, 1]])
    later.resolve(2)
    later.reject(new Error('late'))
    expect(seen).toEqual([[true, 1]])
    const after: Array<[boolean, unknown]> = []
    later.whenSettled((ok, value) => after.push([ok, value]))
    expect(after).toEqual([[true, 1]]) // settled already: at once
  })

  it('maps values, passes errors through, and rejects with what the mapping throws', () => {
    const seen: unknown[] = []
    const a = new Later<number>()
    a.map((n) => n * 2).whenSettled((ok, v) => seen.push(ok ? v : `error ${(v as Error).message}`))
    a.resolve(21)
    const b = new Later<number>()
    b.map((n) => n * 2).whenSettled((ok, v) => seen.push(ok ? v : `error ${(v as Error).message}`))
    b.reject(new Error('closed'))
    const c = new Later<number>()
    c.map((): number => {
      throw new Error('over quota')
    }).whenSettled((ok, v) => seen.push(ok ? v : `error ${(v as Error).message}`))
    c.resolve(1)
    expect(seen).toEqual([42, 'error closed', 'error over quota'])
  })

  it('as a Promise, takes bytes as it settles', async () => {
    let taken = 0
    class Bytes extends OutBytes {
      readonly length = 2
      copyTo(target: Buffer, at: number): void {
        target.write('hi', at, 'latin1')
      }
      peek(): string {
        return 'hi'
      }
      take(): void {
        taken++
      }
    }
    const later = new Later<OutBytes>()
    const promise = laterPromise(later)
    later.resolve(new Bytes())
    expect(taken).toBe(1)
    await expect(promise).resolves.toBe('hi')
    const refused = new Later<number>()
    const failed = laterPromise(refused)
    refused.reject(new Error('no'))
    await expect(failed).rejects.toThrow('no')
  })
})
