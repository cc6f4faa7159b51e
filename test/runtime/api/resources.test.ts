// getresources(): [limits, usage, stoptimes] (docs/REPY.md, 'Resources'), copies that grant nothing when changed.
import { beforeAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../../src/runtime/nanny/restrictions.js'
import { runGuest, type GuestRun } from '../../helpers/run-guest.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

const RESTRICTIONS = `
resource cpu .5
resource memory 32000000
resource diskused 2000000
resource events 3
resource filesopened 2
resource fileread 100000
resource filewrite 100000
resource lograte 100000
resource random 2048
resource insockets 4
resource outsockets 6
resource loopsend 50000
resource looprecv 60000
resource messport 12345
resource messport 12346
resource connport 12347
`

describe('getresources', () => {
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(
      CHECKS +
        String.raw`
const first = getresources()
check('shape', () => [Array.isArray(first), first.length, typeof first[0], typeof first[1], Array.isArray(first[2])])
check('limits', () => first[0])
check('usage', () => first[1])
check('stoptimes', () => first[2])
check('arg', () => getresources(1))
// changing the copies changes nothing
first[0].events = 1000
first[0].filesopened = 1000
first[1].events = 99
first[0].connport.push(80)
check('limits after mutation', () => getresources()[0])
check('usage events after mutation', () => getresources()[1].events)
check('still limited', () => { const a = openfile('a', true); const b = openfile('b', true); try { openfile('c', true) } finally { a.close(); b.close() } })
// usage follows what the program holds
const base = getresources()[1].diskused
const f = openfile('held', true)
f.writeat('x'.repeat(10000), 0)
check('usage while holding', () => { const u = getresources()[1]; return [u.filesopened, u.diskused - base] })
f.close()
createthread(() => sleep(0.1))
check('events with a thread', () => getresources()[1].events)
// a renewable is reported as of its last charge (Repy's table), not drained since
const g = openfile('charged', true)
await sleep(1.2)
g.writeat('y', 0)
await sleep(0.3)
check('filewrite after one block, 0.3 s later', () => getresources()[1].filewrite)
g.close()
`,
      { restrictions: RESTRICTIONS },
    )
    r = results(run.output)
  })

  it('runs to the end', () => expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 }))

  it('returns [limits, usage, stoptimes]', () => {
    expect(okValue(r, 'shape')).toEqual([true, 3, 'object', 'object', true])
    expect(r.get('arg')).toBe('RepyArgumentError')
  })

  it('reports the limits of the restrictions, every resource included', () => {
    const parsed = parseRestrictions(RESTRICTIONS)
    expect(okValue(r, 'limits')).toEqual({ ...parsed.limits, messport: [12345, 12346], connport: [12347] })
    expect(okValue(r, 'limits')).toMatchObject({ cpu: 0.5, events: 3, netsend: 0, netrecv: 0 })
  })

  it('reports sane initial usage: one event for main, nothing open', () => {
    const usage = okValue(r, 'usage') as Record<string, unknown>
    expect(usage).toMatchObject({ events: 1, filesopened: 0, insockets: 0, outsockets: 0, messport: [], connport: [] })
    for (const name of [
      'cpu',
      'threadcpu',
      'memory',
      'diskused',
      'filewrite',
      'fileread',
      'netsend',
      'netrecv',
      'loopsend',
      'looprecv',
      'lograte',
      'random',
    ]) {
      expect(typeof usage[name], name).toBe('number')
      expect(usage[name] as number, name).toBeGreaterThanOrEqual(0)
    }
    expect(usage.memory as number).toBeGreaterThan(0)
    // the program file itself is on the vessel's disk: its size + 4096
    expect(usage.diskused as number).toBeGreaterThan(4096)
    // stoptimes: [time, seconds] of each cpu stop so far; a start on a busy machine may already have cost one
    const stops = okValue(r, 'stoptimes') as Array<[number, number]>
    for (const stop of stops) expect(stop).toEqual([expect.any(Number), expect.any(Number)])
  })

  it('returns copies: changing them grants nothing', () => {
    expect(okValue(r, 'limits after mutation')).toMatchObject({ events: 3, filesopened: 2, connport: [12347] })
    expect(okValue(r, 'usage events after mutation')).toBe(1)
    expect(r.get('still limited')).toBe('ResourceExhaustedError')
  })

  it('reports a renewable as of its last charge, as Repy does: one 4096-byte block, undrained 0.3 s later', () => {
    // Live, the bucket (100,000 bytes/s) would have drained it to 0 within 41 ms.
    expect(okValue(r, 'filewrite after one block, 0.3 s later')).toBe(4096)
  })

  it('follows the files, disk and threads the program holds', () => {
    expect(okValue(r, 'usage while holding')).toEqual([1, 10000 + 4096])
    expect(okValue(r, 'events with a thread')).toBe(2)
  })
})
