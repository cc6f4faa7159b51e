// log(*args): joins its arguments with single spaces, adds no newline, charges lograte (docs/REPY.md, 'Log').
import { afterAll, describe, expect, it } from 'vitest'
import { GENEROUS_RESTRICTIONS } from '../../helpers/run-guest.js'
import { sharedGuestHost } from '../../helpers/shared-host.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts).
const host = sharedGuestHost()
afterAll(() => host.close())

const withLograte = (n: number) => GENEROUS_RESTRICTIONS.replace(/resource lograte \d+/, `resource lograte ${n}`)

describe('log', () => {
  it('prints its arguments joined by single spaces, with no newline added', async () => {
    const { output, outcome } = await host.run(String.raw`
log('Hello World\n')
log('a', 1, true, null, undefined)
log('|')
log()
log('|', [1, 'x'], { k: 2 }, new Uint8Array([104, 105]))
log('|', 'caf\xe9', 'x\0y')
log('|', new FileError('boom'))
`)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).toBe('Hello World\na 1 true null undefined|| [1,"x"] {"k":2} hi| caf\xe9 x\0y| FileError: boom')
  })

  it('logs from threads too', async () => {
    const { output } = await host.run(`createthread(() => log('from', getthreadname(), '\\n'))`)
    expect(output).toBe('from _EVENT:Thread:1 \n')
  })

  it('is refused with ResourceForbiddenError when lograte is 0', async () => {
    const { output, outcome } = await host.run(
      `
let name = 'none'
try { log('x') } catch (e) { name = e.name }
throw new Error('log said ' + name)`,
      { restrictions: withLograte(0) },
    )
    expect(output).toBe('')
    expect(outcome.code).toBe(6)
    expect(outcome.reason).toContain('log said ResourceForbiddenError')
  })

  it('is slowed down to lograte bytes per second', async () => {
    // 5 × 500 bytes at 1000 bytes/s: the bucket holds one second's worth, so the rest must wait about 1.5 s.
    const { output, outcome } = await host.run(
      `
const line = 'x'.repeat(499) + '\\n'
const t0 = getruntime()
for (let i = 0; i < 5; i++) log(line)
log('took', getruntime() - t0)`,
      { restrictions: withLograte(1000) },
    )
    expect(outcome.code).toBe(0)
    const took = Number(/took (\S+)/.exec(output)?.[1])
    expect(took).toBeGreaterThanOrEqual(1.0)
  })
})
