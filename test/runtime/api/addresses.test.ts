// getmyip and gethostbyname (docs/REPY.md, 'Addresses').
import { beforeAll, describe, expect, it } from 'vitest'
import { GENEROUS_RESTRICTIONS, runGuest, type GuestRun } from '../../helpers/run-guest.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

describe('addresses', () => {
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(
      CHECKS +
        String.raw`
check('getmyip', () => getmyip())
check('getmyip arg', () => getmyip(1))
check('gethostbyname promise', () => { const p = gethostbyname('localhost'); p.catch(() => {}); return p instanceof Promise })
await acheck('localhost', () => gethostbyname('localhost'))
await acheck('dotted quad', () => gethostbyname('127.0.0.1'))
await acheck('bad name', () => gethostbyname('no-such-host.invalid'))
await acheck('bad name is a NetworkError', async () => { try { await gethostbyname('no-such-host.invalid') } catch (e) { return [e instanceof NetworkAddressError, e instanceof NetworkError, e instanceof RepyException] } })
await acheck('number', () => gethostbyname(5))
await acheck('null', () => gethostbyname(null))
await acheck('no args', () => gethostbyname())
await acheck('2 args', () => gethostbyname('localhost', 80))
await acheck('empty', () => gethostbyname(''))
`,
      { ip: '10.1.2.3' },
    )
    r = results(run.output)
  })

  it('runs to the end', () => expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 }))

  it('getmyip returns the configured IP and takes no arguments', () => {
    expect(okValue(r, 'getmyip')).toBe('10.1.2.3')
    expect(r.get('getmyip arg')).toBe('RepyArgumentError')
  })

  it('gethostbyname returns a promise of an IPv4 address', () => {
    expect(okValue(r, 'gethostbyname promise')).toBe(true)
    expect(okValue(r, 'localhost')).toBe('127.0.0.1')
    expect(okValue(r, 'dotted quad')).toBe('127.0.0.1')
  })

  it('raises NetworkAddressError for a name that does not resolve', () => {
    expect(r.get('bad name')).toBe('NetworkAddressError')
    expect(okValue(r, 'bad name is a NetworkError')).toEqual([true, true, true])
  })

  it.each(['number', 'null', 'no args', '2 args', 'empty'])('refuses a bad argument: %s', (label) => {
    expect(r.get(label)).toBe('RepyArgumentError')
  })

  it('is refused with ResourceForbiddenError when netsend is 0', async () => {
    const restrictions = GENEROUS_RESTRICTIONS.replace(/resource netsend \d+/, 'resource netsend 0')
    const { output } = await runGuest(CHECKS + `await acheck('forbidden', () => gethostbyname('localhost'))`, {
      restrictions,
    })
    expect(results(output).get('forbidden')).toBe('ResourceForbiddenError')
  })
})
