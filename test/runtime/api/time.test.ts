// getruntime and sleep (docs/REPY.md, 'Time'): a monotonic clock from the program's start; sleep never
// returns early; Repy has no timers.
import { beforeAll, describe, expect, it } from 'vitest'
import { runGuest, type GuestRun } from '../../helpers/run-guest.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

const PROGRAM =
  CHECKS +
  String.raw`
check('runtime type', () => typeof getruntime())
check('runtime non-negative', () => getruntime() >= 0)
check('monotonic', () => { let last = getruntime(); for (let i = 0; i < 2000; i++) { const t = getruntime(); if (t < last) return 'went back at ' + i; last = t } return 'ok' })
check('runtime arg', () => getruntime(1))
check('sleep returns a promise', () => { const p = sleep(0); return p instanceof Promise })
await acheck('sleep resolves undefined', async () => (await sleep(0.01)) === undefined)
await acheck('sleep waits', async () => { const t0 = getruntime(); await sleep(0.3); return getruntime() - t0 })
await acheck('short sleeps wait', async () => {
  // The shortest of many sub-millisecond sleeps, and of sleeps of a millisecond and a fraction (timer, then the rest).
  let short = Infinity
  let mixed = Infinity
  for (let i = 0; i < 200; i++) { const t0 = getruntime(); await sleep(0.0001); short = Math.min(short, getruntime() - t0) }
  for (let i = 0; i < 20; i++) { const t0 = getruntime(); await sleep(0.0015); mixed = Math.min(mixed, getruntime() - t0) }
  return [short, mixed]
})
await acheck('sleep int', async () => { await sleep(0); return 'slept' })
await acheck('sleep negative', () => sleep(-1))
await acheck('sleep string', () => sleep('1'))
await acheck('sleep NaN', () => sleep(NaN))
await acheck('sleep no args', () => sleep())
await acheck('sleep 2 args', () => sleep(1, 2))
await acheck('sleeps interleave', async () => {
  const order = []
  const a = (async () => { await sleep(0.2); order.push('long') })()
  const b = (async () => { await sleep(0.05); order.push('short') })()
  await a; await b
  return order
})
check('no setTimeout', () => [typeof setTimeout, typeof setInterval, typeof setImmediate, typeof queueMicrotask])
`

describe('time', () => {
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(PROGRAM)
    r = results(run.output)
  })

  it('runs to the end', () => expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 }))

  it('getruntime is a non-negative number that never goes back', () => {
    expect(okValue(r, 'runtime type')).toBe('number')
    expect(okValue(r, 'runtime non-negative')).toBe(true)
    expect(okValue(r, 'monotonic')).toBe('ok')
  })

  it('getruntime takes no arguments', () => expect(r.get('runtime arg')).toBe('RepyArgumentError'))

  it('sleep returns a promise that resolves to undefined', () => {
    expect(okValue(r, 'sleep returns a promise')).toBe(true)
    expect(okValue(r, 'sleep resolves undefined')).toBe(true)
    expect(okValue(r, 'sleep int')).toBe('slept')
  })

  it('sleep never returns early', () => {
    expect(okValue(r, 'sleep waits')).toBeGreaterThanOrEqual(0.3)
    const [short, mixed] = okValue(r, 'short sleeps wait') as [number, number]
    expect(short).toBeGreaterThanOrEqual(0.0001)
    expect(mixed).toBeGreaterThanOrEqual(0.0015)
  })

  it.each(['sleep negative', 'sleep string', 'sleep NaN', 'sleep no args', 'sleep 2 args'])(
    'refuses bad sleep arguments: %s',
    (label) => expect(r.get(label)).toBe('RepyArgumentError'),
  )

  it('lets other code run while sleeping', () => {
    expect(okValue(r, 'sleeps interleave')).toEqual(['short', 'long'])
  })

  it('has no timers (Repy V2 has none)', () => {
    expect(okValue(r, 'no setTimeout')).toEqual(['undefined', 'undefined', 'undefined', 'undefined'])
  })
})
