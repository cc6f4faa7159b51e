import { describe, expect, it } from 'vitest'
import { appendLog, emptyLog, printable, visibleLines } from '../../src/tui/log-lines.js'

const chunk = (offset: number, text: string) => {
  const data = new Uint8Array(Buffer.from(text))
  return { offset, data, nextOffset: offset + data.length }
}

describe('log lines', () => {
  it('joins chunks into lines, keeping an unfinished last line', () => {
    let s = appendLog(emptyLog(), chunk(0, 'one\ntw'), 100)
    expect(s.lines).toEqual(['one'])
    expect(visibleLines(s)).toEqual(['one', 'tw'])
    s = appendLog(s, chunk(6, 'o\r\nthree\n'), 100)
    expect(visibleLines(s)).toEqual(['one', 'two', 'three'])
    expect(s.nextOffset).toBe(15)
  })

  it('returns the same state for an empty chunk', () => {
    const s = appendLog(emptyLog(), chunk(0, 'a\n'), 100)
    expect(appendLog(s, chunk(2, ''), 100)).toBe(s)
  })

  it('marks bytes the ring dropped, and starts over when the log was reset', () => {
    let s = appendLog(emptyLog(), chunk(0, 'a\n'), 100)
    s = appendLog(s, chunk(50, 'z\n'), 100)
    expect(s.lines).toEqual(['a', '… 48 bytes of older log no longer kept by the node …', 'z'])
    expect(s.dropped).toBe(48)
    s = appendLog(s, chunk(0, 'fresh\n'), 100)
    expect(s.lines).toEqual(['fresh'])
  })

  it('keeps at most maxLines', () => {
    const text = Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join('')
    expect(appendLog(emptyLog(), chunk(0, text), 3).lines).toEqual(['line 7', 'line 8', 'line 9'])
  })

  it('makes control characters harmless', () => {
    expect(printable('a\tb\x1b[2Jc')).toBe('a    b?[2Jc')
  })

  it('replaces the characters that reorder text or break a line, so a logged line cannot disguise the others', () => {
    expect(printable('paid \u202e001\u202c to \u2066x\u2069\u2028next')).toBe('paid ?001? to ?x??next')
  })
})
