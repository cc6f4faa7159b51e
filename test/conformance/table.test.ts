// The conformance table itself: labels unique and printable in each area, and every deliberate difference between
// the front ends says why.
import { describe, expect, it } from 'vitest'
import { AREAS } from './cases/index.js'
import { FRONT_ENDS } from './case.js'

describe('the conformance table', () => {
  it.each(AREAS)('$name: labels are unique printable ASCII without " -> "', (area) => {
    const labels = area.items.flatMap((i) => (i.kind === 'case' ? [i.label] : []))
    expect(labels.filter((l, i) => labels.indexOf(l) !== i)).toEqual([])
    expect(labels.filter((l) => !/^[ -~]+$/.test(l) || l.includes(' -> '))).toEqual([])
  })

  it.each(AREAS)('$name: every difference and every absent call has a reason', (area) => {
    for (const item of area.items) {
      if (item.kind !== 'case') continue
      for (const fe of FRONT_ENDS) {
        const side = item[fe]
        if (typeof side === 'string') continue
        const why = 'why' in side ? side.why : side.absent
        expect(why.length, `${item.label} (${fe})`).toBeGreaterThan(10)
      }
    }
  })
})
