import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { formatRestrictions, parseRestrictions, RestrictionsError } from '../../../src/runtime/nanny/restrictions.js'

const BASE = 'resource cpu .10\nresource memory 15000000\nresource diskused 100000000\n'

function parseError(text: string): RestrictionsError {
  try {
    parseRestrictions(text, 'restrictions.test')
  } catch (err) {
    expect(err).toBeInstanceOf(RestrictionsError)
    return err as RestrictionsError
  }
  throw new Error('parsed without an error')
}

/** The resources listing of the Repy V2 tutorial, copied verbatim ("resource cpu .10" ... "connport"). */
const tutorialListing = (): string => readFileSync(new URL('fixtures/restrictions.tutorial', import.meta.url), 'utf8')

describe('parseRestrictions', () => {
  it('parses the tutorial example file, trailing comments included', () => {
    const r = parseRestrictions(tutorialListing(), 'restrictions.test')
    expect(r.limits).toEqual({
      cpu: 0.1,
      filewrite: 10000,
      fileread: 10000,
      netsend: 10000,
      netrecv: 10000,
      loopsend: 1000000,
      looprecv: 1000000,
      lograte: 30000,
      random: 100,
      memory: 10000000,
      diskused: 10000000,
      events: 10,
      filesopened: 5,
      insockets: 5,
      outsockets: 5,
    })
    expect(r.ports).toEqual({ messport: [12345, 12346], connport: [12345] })
    expect(r.calls).toEqual([])
  })

  it('keeps RepyV1 call lines verbatim, skips comments, blank lines and CRLF', () => {
    const text = [
      '# a RepyV1 restrictions file',
      '',
      'resource cpu .10\t',
      '   resource memory 15000000 # 15 MB',
      'resource diskused 100000000',
      'resource events 10',
      'call gethostbyname_ex allow',
      'call sendmess allow  # with a comment',
      '   ',
      '#call openfile allow',
      '',
    ].join('\r\n')
    const r = parseRestrictions(text)
    expect(r.limits.cpu).toBe(0.1)
    expect(r.limits.memory).toBe(15000000)
    expect(r.limits.events).toBe(10)
    expect(r.calls).toEqual(['call gethostbyname_ex allow', 'call sendmess allow  # with a comment'])
  })

  it('sets missing resources to 0 and has no ports', () => {
    const r = parseRestrictions(BASE)
    expect(r.limits.netsend).toBe(0)
    expect(r.limits.events).toBe(0)
    expect(r.ports).toEqual({ messport: [], connport: [] })
  })

  it('accepts exponent notation for whole quantities', () => {
    const r = parseRestrictions('resource cpu 1\nresource memory 1e8\nresource diskused 1.5E7\nresource events 2\n')
    expect(r.limits.memory).toBe(100000000)
    expect(r.limits.diskused).toBe(15000000)
  })

  it('treats port lines as a sorted set', () => {
    const ports = ['connport 63102', 'connport 63100', 'connport 63102', 'messport 1', 'messport 65535']
    const r = parseRestrictions(BASE + ports.map((p) => `resource ${p}\n`).join(''))
    expect(r.ports).toEqual({ connport: [63100, 63102], messport: [1, 65535] })
  })

  it.each([
    ['an unknown line type', 'allow cpu .10', 4, "unknown line type 'allow'"],
    ['an unknown resource', 'resource cpuu .10', 4, "unknown resource 'cpuu'"],
    ['a short resource line', 'resource events', 4, 'exactly 3 words'],
    ['a long resource line', 'resource events 10 20', 4, 'exactly 3 words'],
    ['a repeated resource', 'resource cpu .20', 4, "resource 'cpu' is given twice"],
    ['a word for a value', 'resource events abc', 4, "invalid value 'abc'"],
    ['a negative item count', 'resource events -1', 4, 'must not be negative'],
    ['a negative renewable', 'resource netsend -5', 4, 'must not be negative'],
    ['NaN', 'resource netsend nan', 4, "invalid value 'nan'"],
    ['infinity', 'resource netsend inf', 4, "invalid value 'inf'"],
    ['a fraction of an item', 'resource events 1.5', 4, 'must be a whole number'],
    ['a fraction of a byte', 'resource filesopened 2.5', 4, 'must be a whole number'],
    ['port 0', 'resource messport 0', 4, 'not in 1-65535'],
    ['port 65536', 'resource connport 65536', 4, 'not in 1-65535'],
    ['a fractional port', 'resource connport 80.5', 4, 'must be a whole number'],
    ['a value with junk', 'resource events 10abc', 4, "invalid value '10abc'"],
  ])('rejects %s and names the line', (_what, line, lineNo, reason) => {
    const err = parseError(BASE + line + '\n')
    expect(err.line).toBe(lineNo)
    expect(err.message).toContain(`restrictions.test line ${lineNo}: `)
    expect(err.message).toContain(reason)
  })

  it('names the exact line after comments and blank lines', () => {
    const text = '# header\n\nresource cpu .1\r\nresource memory 1\r\n\r\nresource diskused 1 # ok\nresource cpuu 3\n'
    const err = parseError(text)
    expect(err.line).toBe(7)
    expect(err.message).toBe("restrictions.test line 7: unknown resource 'cpuu'")
  })

  it.each(['cpu', 'memory', 'diskused'])('requires %s', (name) => {
    const text = BASE.split('\n')
      .filter((l) => !l.includes(` ${name} `))
      .join('\n')
    const err = parseError(text)
    expect(err.line).toBeUndefined()
    expect(err.message).toBe(`restrictions.test: missing mandatory resource '${name}'`)
  })

  it('names the file "restrictions" when no name is given', () => {
    expect(() => parseRestrictions('resource cpu x\n')).toThrow("restrictions line 1: invalid value 'x'")
  })
})

describe('formatRestrictions', () => {
  it('round-trips the tutorial file and a file with call lines and ports', () => {
    const withCalls = BASE + 'resource connport 2\nresource connport 1\ncall foo allow\ncall bar # x\n'
    for (const text of [tutorialListing(), withCalls]) {
      const r = parseRestrictions(text)
      const written = formatRestrictions(r)
      expect(parseRestrictions(written)).toEqual(r)
    }
  })

  it('writes one resource line per key, ports one per line, then the call lines', () => {
    const r = parseRestrictions(BASE + 'resource messport 5\nresource messport 4\ncall x allow\n')
    const lines = formatRestrictions(r).trimEnd().split('\n')
    expect(lines).toHaveLength(15 + 2 + 1)
    expect(lines[0]).toBe('resource cpu 0.1')
    expect(lines.slice(-3)).toEqual(['resource messport 4', 'resource messport 5', 'call x allow'])
  })
})
