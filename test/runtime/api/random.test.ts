// randombytes(): exactly 1024 bytes (chars <= 0xFF) from the OS generator, charged to `random`.
import { beforeAll, describe, expect, it } from 'vitest'
import { GENEROUS_RESTRICTIONS, runGuest, type GuestRun } from '../../helpers/run-guest.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

const withRandom = (n: number) => GENEROUS_RESTRICTIONS.replace(/resource random \d+/, `resource random ${n}`)

describe('randombytes', () => {
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(
      CHECKS +
        String.raw`
const blocks = []
for (let i = 0; i < 20; i++) blocks.push(randombytes())
check('type', () => typeof blocks[0])
check('lengths', () => [...new Set(blocks.map((b) => b.length))])
check('max char', () => Math.max(...blocks.map((b) => Math.max(...[...b].map((c) => c.charCodeAt(0))))))
check('distinct values', () => new Set(blocks.join('')).size)
check('blocks differ', () => new Set(blocks).size)
check('arg', () => randombytes(1024))
`,
    )
    r = results(run.output)
  })

  it('returns a string of exactly 1024 bytes each time', () => {
    expect(okValue(r, 'type')).toBe('string')
    expect(okValue(r, 'lengths')).toEqual([1024])
  })

  it('returns bytes (chars <= 0xFF), every value including NUL', () => {
    expect(okValue(r, 'max char')).toBeLessThanOrEqual(255)
    // 20480 random bytes miss one of the 256 values with a probability of about 256 * e^-80.
    expect(okValue(r, 'distinct values')).toBe(256)
  })

  it('returns different bytes each call', () => expect(okValue(r, 'blocks differ')).toBe(20))

  it('takes no arguments', () => expect(r.get('arg')).toBe('RepyArgumentError'))

  it('is refused with ResourceForbiddenError when random is 0', async () => {
    const { output } = await runGuest(CHECKS + `check('forbidden', () => randombytes())`, {
      restrictions: withRandom(0),
    })
    expect(results(output).get('forbidden')).toBe('ResourceForbiddenError')
  })

  it('is slowed down to `random` bytes per second', async () => {
    // 3 calls at 1024 bytes/s: the second and third must each wait for the bucket to drain.
    const { output } = await runGuest(
      CHECKS +
        `
const t0 = getruntime()
for (let i = 0; i < 3; i++) randombytes()
check('took', () => getruntime() - t0)`,
      { restrictions: withRandom(1024) },
    )
    expect(okValue(results(output), 'took')).toBeGreaterThanOrEqual(1.0)
  })
})
