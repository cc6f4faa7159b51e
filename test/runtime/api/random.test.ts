// randombytes() is slowed down to the `random` rate (docs/REPY.md, 'Random bytes'). What each call gives and
// raises is in the conformance table (test/conformance/cases/random.ts).
import { describe, expect, it } from 'vitest'
import { GENEROUS_RESTRICTIONS, runGuest } from '../../helpers/run-guest.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

const withRandom = (n: number) => GENEROUS_RESTRICTIONS.replace(/resource random \d+/, `resource random ${n}`)

describe('randombytes', () => {
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
