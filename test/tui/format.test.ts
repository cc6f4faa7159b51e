import { describe, expect, it } from 'vitest'
import {
  bar,
  cell,
  clock,
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  fraction,
  levelColor,
  shortKey,
  shortPeerId,
} from '../../src/tui/format.js'

describe('format', () => {
  it('sizes in binary units with at most three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1023)).toBe('1023 B')
    expect(formatBytes(1024)).toBe('1 KB')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(10_000_000)).toBe('9.54 MB')
    expect(formatBytes(64_000_000)).toBe('61 MB')
    expect(formatBytes(5 * 2 ** 40)).toBe('5 TB')
    expect(formatBytes(-2048)).toBe('-2 KB')
    expect(formatBytes(NaN)).toBe('?')
    expect(formatRate(20_480)).toBe('20 KB/s')
  })

  it('percentages, counts and durations', () => {
    expect(formatPercent(0.25)).toBe('25%')
    expect(formatPercent(0.025)).toBe('2.5%')
    expect(formatPercent(0)).toBe('0%')
    expect(formatPercent(1.234)).toBe('123%')
    expect(formatCount(3)).toBe('3')
    expect(formatCount(0.333)).toBe('0.33')
    expect(formatDuration(null)).toBe('-')
    expect(formatDuration(42.9)).toBe('42s')
    expect(formatDuration(185)).toBe('3m05s')
    expect(formatDuration(2 * 3600 + 7 * 60 + 59)).toBe('2h07m')
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3d04h')
    expect(formatDuration(-1)).toBe('-')
  })

  it('bars have the exact width, eighth-cell steps and clamp', () => {
    expect(bar(0, 10)).toBe('··········')
    expect(bar(1, 10)).toBe('██████████')
    expect(bar(2, 4)).toBe('████')
    expect(bar(-1, 4)).toBe('····')
    expect(bar(0.5, 4)).toBe('██··')
    expect(bar(0.35, 4)).toBe('█▍··')
    expect(bar(NaN, 3)).toBe('···')
    expect(bar(0.5, 0)).toBe('')
    for (let f = 0; f <= 1; f += 0.07) expect([...bar(f, 13)]).toHaveLength(13)
  })

  it('fractions of quotas and their colors', () => {
    expect(fraction(1, 4)).toBe(0.25)
    expect(fraction(0, 0)).toBe(0)
    expect(fraction(5, 0)).toBe(1)
    expect(levelColor(0.5)).toBe('green')
    expect(levelColor(0.75)).toBe('yellow')
    expect(levelColor(0.95)).toBe('red')
  })

  it('cells cut with an ellipsis and pad to the width', () => {
    expect(cell('abc', 5)).toBe('abc  ')
    expect(cell('abc', 5, 'right')).toBe('  abc')
    expect(cell('abcdef', 4)).toBe('abc…')
    expect(cell('abcdef', 1)).toBe('…')
    expect(cell('abc', 0)).toBe('')
  })

  it('keys, peer ids and clock times shortened', () => {
    expect(shortKey('ed25519-pub AbCdEfGhIjKlMnOp=')).toBe('AbCdEfGh')
    expect(shortKey('plain', 3)).toBe('pla')
    expect(shortPeerId('12D3KooWabcdefghijklmnopqrstuvwxyz')).toBe('12D3KooWab…wxyz')
    expect(shortPeerId('short')).toBe('short')
    expect(clock(new Date(2024, 0, 1, 9, 5, 7).getTime())).toBe('09:05:07')
  })
})
