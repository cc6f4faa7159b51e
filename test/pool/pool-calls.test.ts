// The pool's edges without a network: its settings' durations, the donor named in owner information, and
// POOL_CALLS' argument checks (each bad argument is E_USAGE naming it, an unknown call E_UNKNOWN_CALL).
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { publicKeyText } from '../../src/keys/key-text.js'
import { NodeError } from '../../src/protocol/errors.js'
import { donorInfo, donorOf, validatePoolCall } from '../../src/pool/pool-calls.js'
import { checkSettings, parseDuration } from '../../src/pool/pool-config.js'

const code = (fn: () => unknown): string => {
  try {
    fn()
    return 'ok'
  } catch (err) {
    if (err instanceof NodeError) return err.code
    throw err
  }
}

const KEY = publicKeyText((await generateKeyPair('Ed25519')).publicKey)

describe('pool settings', () => {
  it('reads durations in s, m, h, d or seconds, and refuses the rest', () => {
    expect(parseDuration('60s', '--lease')).toBe(60_000)
    expect(parseDuration('90', '--lease')).toBe(90_000)
    expect(parseDuration('15m', '--lease')).toBe(900_000)
    expect(parseDuration('2h', '--lease')).toBe(7_200_000)
    expect(parseDuration('7d', '--lease')).toBe(604_800_000)
    for (const bad of ['', '0', '0.5s', 'soon', '1w', '-5', '400d'])
      expect(code(() => parseDuration(bad, 'x'))).toBe('E_USAGE')
  })

  it('refuses allowances that are not whole numbers and leases under a second', () => {
    const ok = { baseAllowance: 10, perDonated: 2, leaseMs: 1000, allow: null }
    expect(checkSettings(ok)).toEqual(ok)
    expect(code(() => checkSettings({ ...ok, baseAllowance: -1 }))).toBe('E_USAGE')
    expect(code(() => checkSettings({ ...ok, perDonated: 1.5 }))).toBe('E_USAGE')
    expect(code(() => checkSettings({ ...ok, leaseMs: 999 }))).toBe('E_USAGE')
  })
})

describe('donor information', () => {
  it('names a donor key, and nothing else', () => {
    expect(donorOf(donorInfo(KEY))).toBe(KEY)
    expect(donorOf('')).toBeNull()
    expect(donorOf('pool donor ed25519-pub nonsense')).toBeNull()
    expect(donorOf(KEY)).toBeNull()
  })
})

describe('POOL_CALLS', () => {
  const PEER = '12D3KooWDwkjULAozDGreTN8jerWZgcvdN2YzxuEZgrAhr2PXsFg'
  it('accepts well-formed calls', () => {
    expect(validatePoolCall('Acquire', [3, true])).toEqual({ call: 'Acquire', args: [3, true] })
    expect(validatePoolCall('Release', [`${PEER}:v12`]).args).toEqual([`${PEER}:v12`])
    expect(validatePoolCall('Announce', [[`/ip4/127.0.0.1/tcp/1224/p2p/${PEER}`]]).call).toBe('Announce')
  })

  it('refuses bad arguments with E_USAGE and unknown calls with E_UNKNOWN_CALL', () => {
    const bad: Array<[string, unknown[]]> = [
      ['Acquire', [0, false]],
      ['Acquire', [1001, false]],
      ['Acquire', [2, 'yes']],
      ['Acquire', []],
      ['Renew', ['v1']],
      ['Renew', [`${PEER}:v0`]],
      ['Release', [['all']]],
      ['Announce', [[]]],
      ['Announce', [['/ip4/127.0.0.1/tcp/1224']]],
      ['Announce', [Array.from({ length: 17 }, () => `/ip4/127.0.0.1/tcp/1224/p2p/${PEER}`)]],
      ['List', ['extra']],
    ]
    for (const [call, args] of bad)
      expect(`${call} ${code(() => validatePoolCall(call, args))}`).toBe(`${call} E_USAGE`)
    expect(code(() => validatePoolCall('GetVessels', []))).toBe('E_UNKNOWN_CALL')
  })
})
