import { describe, expect, it } from 'vitest'
import { splitKeys } from '../../src/shell/ui/line-editor.js'

describe('splitKeys: one read from the terminal holding several keys', () => {
  it('splits Enter then Ctrl-C, as a loaded machine reads them together', () => {
    expect(splitKeys('\r\x03')).toEqual([
      { input: '', key: { return: true } },
      { input: 'c', key: { ctrl: true } },
    ])
  })

  it('keeps each pasted line whole, one Enter per line end (CRLF counts once)', () => {
    expect(splitKeys('on %all\r\nrun a.js\r')).toEqual([
      { input: 'on %all', key: {} },
      { input: '', key: { return: true } },
      { input: 'run a.js', key: {} },
      { input: '', key: { return: true } },
    ])
  })

  it('gives Tab, Backspace and Ctrl-letters their keys and drops controls that are no key', () => {
    expect(splitKeys('ru\tx\x7f\x15\x00\x1f')).toEqual([
      { input: 'ru', key: {} },
      { input: '', key: { tab: true } },
      { input: 'x', key: {} },
      { input: '', key: { backspace: true } },
      { input: 'u', key: { ctrl: true } },
    ])
  })

  it('leaves a single key and plain text to ink', () => {
    expect(splitKeys('\r')).toBeNull()
    expect(splitKeys('help exit')).toBeNull()
    expect(splitKeys('é😀')).toBeNull()
  })
})
