// Long output lines in the interactive shell wrap at spaces, continuation lines hanging under the text column.
import { describe, expect, it } from 'vitest'
import { wrapLine } from '../../src/shell/output.js'

describe('wrapLine', () => {
  it("keeps short lines, and hangs a help entry's continuation under its summary", () => {
    expect(wrapLine('short', 40)).toEqual(['short'])
    const entry = '  loadkeys <file> [as <identity>]  load <file>.publickey and <file>.privatekey as an identity'
    const lines = wrapLine(entry, 80)
    expect(lines.length).toBeGreaterThan(1)
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80)
    const column = entry.indexOf('load <file>')
    for (const l of lines.slice(1)) expect(l.slice(0, column).trim()).toBe('')
    expect(lines.map((l) => l.trim()).join(' ')).toBe(entry.trim())
  })

  it('indents a continuation by two when there is no column, and cuts a word longer than the line', () => {
    const lines = wrapLine(`error: ${'x'.repeat(50)} and more words here`, 30)
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(30)
    for (const l of lines.slice(1)) expect(l.startsWith('  ')).toBe(true)
    expect(lines.join('').replace(/\s+/g, '')).toBe(`error:${'x'.repeat(50)}andmorewordshere`)
  })
})
