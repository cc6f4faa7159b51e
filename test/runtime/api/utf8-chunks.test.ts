import { describe, expect, it } from 'vitest'
import { utf8Chunks } from '../../../src/runtime/api/utf8-chunks.js'

const bytes = (s: string) => Buffer.byteLength(s, 'utf8')

describe('utf8Chunks', () => {
  it('keeps text that fits as one piece, the empty string included', () => {
    expect(utf8Chunks('hello', 5)).toEqual(['hello'])
    expect(utf8Chunks('', 5)).toEqual([''])
  })

  it('splits into pieces of at most maxBytes that join back to the text', () => {
    const text = 'y'.repeat(5000)
    const pieces = utf8Chunks(text, 1000)
    expect(pieces).toHaveLength(5)
    expect(pieces.join('')).toBe(text)
  })

  it('counts UTF-8 bytes and never splits a surrogate pair', () => {
    const text = 'aé€😀'.repeat(300)
    for (const max of [1, 3, 4, 5, 7, 100]) {
      const pieces = utf8Chunks(text, max)
      expect(pieces.join('')).toBe(text)
      for (const p of pieces) {
        expect(bytes(p) <= max || [...p].length === 1).toBe(true)
        expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p) // no lone surrogate
      }
    }
  })
})
