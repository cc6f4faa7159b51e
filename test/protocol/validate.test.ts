import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { publicKeyText } from '../../src/keys/key-files.js'
import { NodeError, type ErrorCode } from '../../src/protocol/errors.js'
import { MAX_FILE_BYTES } from '../../src/protocol/messages.js'
import { CALL_SIGNATURES, isValidFilename, validateCall, type CallName } from '../../src/protocol/validate.js'

const key = publicKeyText((await generateKeyPair('Ed25519')).publicKey)
const key2 = publicKeyText((await generateKeyPair('Ed25519')).publicKey)

type Bad = [args: unknown[], code: ErrorCode, message: RegExp]
interface Case {
  tier: string
  good: unknown[][]
  bad: Bad[]
}

const vesselBad = (rest: unknown[]): Bad[] => [
  [['V1', ...rest], 'E_USAGE', /argument '(vessel|vessel1)' must be a vessel name like v1, got "V1"/],
  [[1, ...rest], 'E_USAGE', /argument '(vessel|vessel1)' must be a vessel name/],
  [['v0', ...rest], 'E_USAGE', /vessel name/],
]
const fileBad = (pre: unknown[], post: unknown[], name = 'filename'): Bad[] => [
  [[...pre, 'A.js', ...post], 'E_USAGE', new RegExp(`argument '${name}' must be a file name`)],
  [[...pre, '.hidden', ...post], 'E_USAGE', new RegExp(`argument '${name}'`)],
  [[...pre, '..', ...post], 'E_USAGE', new RegExp(`argument '${name}'`)],
  [[...pre, 'a/b', ...post], 'E_USAGE', new RegExp(`argument '${name}'`)],
  [[...pre, 'x'.repeat(121), ...post], 'E_USAGE', new RegExp(`argument '${name}'`)],
  [[...pre, new Uint8Array(1), ...post], 'E_USAGE', new RegExp(`argument '${name}'.*got 1 bytes`)],
]
const privateBad = (pre: unknown[], post: unknown[]): Bad => [
  [...pre, 'private_state', ...post],
  'E_PERMISSION',
  /private_\* are reserved/,
]

const CASES: Record<CallName, Case> = {
  GetVessels: { tier: 'public', good: [[]], bad: [[['v1'], 'E_USAGE', /GetVessels takes no arguments, got 1/]] },
  GetVesselResources: {
    tier: 'public',
    good: [['v1']],
    bad: [...vesselBad([]), [[], 'E_USAGE', /takes 1 argument \(vessel\), got 0/]],
  },
  GetOffcutResources: { tier: 'public', good: [[]], bad: [[[1], 'E_USAGE', /takes no arguments/]] },
  StartVessel: {
    tier: 'user',
    good: [
      ['v1', 'main.js', []],
      ['v12', 'a-b_c.9.ts', ['x', 'with space', '']],
      ['v1', 'private_prog.js', []],
    ],
    bad: [
      ...vesselBad(['p.js', []]),
      ...fileBad(['v1'], [[]], 'program'),
      [['v1', 'p.js', 'a b'], 'E_USAGE', /argument 'args' must be a list of at most 256 strings/],
      [['v1', 'p.js', [1]], 'E_USAGE', /argument 'args'/],
      [['v1', 'p.js', ['a\0b']], 'E_USAGE', /without NUL/],
      [['v1', 'p.js', new Array(257).fill('a')], 'E_USAGE', /at most 256/],
      [['v1', 'p.js', ['x'.repeat(70_000)]], 'E_USAGE', /at most 65536 characters in all/],
      [['v1', 'p.js'], 'E_USAGE', /StartVessel takes 3 arguments \(vessel, program, args\), got 2/],
    ],
  },
  StopVessel: { tier: 'user', good: [['v1']], bad: vesselBad([]) },
  ResetVessel: { tier: 'user', good: [['v3']], bad: vesselBad([]) },
  AddFileToVessel: {
    tier: 'user',
    good: [
      ['v1', 'data.txt', new Uint8Array(0)],
      ['v1', 'x', new Uint8Array(10)],
    ],
    bad: [
      ...vesselBad(['f', new Uint8Array(0)]),
      ...fileBad(['v1'], [new Uint8Array(0)]),
      privateBad(['v1'], [new Uint8Array(0)]),
      [['v1', 'f', 'text'], 'E_USAGE', /argument 'data' must be bytes, got "text"/],
      [['v1', 'f', new Uint8Array(MAX_FILE_BYTES + 1)], 'E_SIZE', /file data is 16711681 bytes/],
    ],
  },
  RetrieveFileFromVessel: {
    tier: 'user',
    good: [['v1', 'f.txt']],
    bad: [...vesselBad(['f']), ...fileBad(['v1'], []), privateBad(['v1'], [])],
  },
  ListFilesInVessel: { tier: 'user', good: [['v1']], bad: vesselBad([]) },
  DeleteFileInVessel: {
    tier: 'user',
    good: [['v1', 'f.txt']],
    bad: [...vesselBad(['f']), ...fileBad(['v1'], []), privateBad(['v1'], [])],
  },
  ReadVesselLog: { tier: 'user', good: [['v1']], bad: vesselBad([]) },
  TailVesselLog: {
    tier: 'user',
    good: [
      ['v1', 0],
      ['v1', 123456],
    ],
    bad: [
      ...vesselBad([0]),
      [['v1', -1], 'E_USAGE', /'fromOffset' must be a whole number ≥ 0, got -1/],
      [['v1', 1.5], 'E_USAGE', /fromOffset/],
      [['v1', '0'], 'E_USAGE', /fromOffset/],
    ],
  },
  GetVesselUsage: { tier: 'user', good: [['v1']], bad: vesselBad([]) },
  ChangeUsers: {
    tier: 'owner',
    good: [
      ['v1', []],
      ['v1', [key, key2]],
    ],
    bad: [
      ...vesselBad([[]]),
      [['v1', key], 'E_USAGE', /argument 'keys' must be a list/],
      [['v1', [key, 'ed25519-pub AAAA']], 'E_USAGE', /argument 'keys'/],
      [['v1', [` ${key}`]], 'E_USAGE', /argument 'keys'/],
      // the neutral point: with it as the key, R = that point and S = 0 sign every message (ed25519-backends.test.ts)
      [
        ['v1', [key, `ed25519-pub ${Buffer.from([1, ...new Array<number>(31).fill(0)]).toString('base64')}`]],
        'E_USAGE',
        /argument 'keys'/,
      ],
      [['v1', new Array(257).fill(key)], 'E_USAGE', /at most 256/],
    ],
  },
  ChangeOwner: {
    tier: 'owner',
    good: [['v1', key]],
    bad: [
      ...vesselBad([key]),
      [['v1', 'e n'], 'E_USAGE', /argument 'key' must be a public key text/],
      [['v1', [key]], 'E_USAGE', /'key'/],
    ],
  },
  ChangeOwnerInformation: {
    tier: 'owner',
    good: [
      ['v1', ''],
      ['v1', 'x'.repeat(256)],
      ['v1', 'lab 4, ünïcode'],
    ],
    bad: [
      ...vesselBad(['']),
      [['v1', 'x'.repeat(257)], 'E_USAGE', /'info' must be one line of at most 256 characters/],
      [['v1', 'a\nb'], 'E_USAGE', /'info'/],
      [['v1', 'a\rb'], 'E_USAGE', /'info'/],
    ],
  },
  ChangeAdvertise: {
    tier: 'owner',
    good: [
      ['v1', true],
      ['v1', false],
    ],
    bad: [
      ...vesselBad([true]),
      [['v1', 'True'], 'E_USAGE', /'advertise' must be true or false, got "True"/],
      [['v1', 1], 'E_USAGE', /advertise/],
    ],
  },
  SplitVessel: {
    tier: 'owner',
    good: [['v1', 'resource cpu .1\nresource memory 1000\nresource diskused 1000\n']],
    bad: [
      ...vesselBad(['']),
      [['v1', new Uint8Array(3)], 'E_USAGE', /'restrictions' must be restrictions text/],
      [['v1', 'x'.repeat(70_000)], 'E_USAGE', /at most 65536/],
    ],
  },
  JoinVessels: {
    tier: 'owner',
    good: [['v1', 'v2']],
    bad: [...vesselBad(['v2']), [['v1', 'w2'], 'E_USAGE', /argument 'vessel2' must be a vessel name/]],
  },
}

describe('CALL_SIGNATURES', () => {
  it('lists exactly the calls of the protocol with their tiers', () => {
    expect(Object.keys(CALL_SIGNATURES).sort()).toEqual(Object.keys(CASES).sort())
    for (const [call, c] of Object.entries(CASES)) {
      expect(CALL_SIGNATURES[call as CallName].tier, call).toBe(c.tier)
      expect(CALL_SIGNATURES[call as CallName].description.length).toBeGreaterThan(10)
    }
  })

  it('unknown calls are E_UNKNOWN_CALL', () => {
    for (const call of ['SetRestrictions', 'getvessels', 'toString', '__proto__', 'constructor', '']) {
      const err = (() => {
        try {
          validateCall(call, [])
        } catch (e) {
          return e
        }
      })()
      expect(err, call).toBeInstanceOf(NodeError)
      expect((err as NodeError).code).toBe('E_UNKNOWN_CALL')
    }
  })
})

const title = (args: unknown[]): string =>
  JSON.stringify(args, (_k, v: unknown) =>
    v instanceof Uint8Array ? `<${v.length} bytes>` : typeof v === 'string' && v.length > 30 ? v.slice(0, 30) + '…' : v,
  ).slice(0, 120)

for (const [call, c] of Object.entries(CASES)) {
  describe(`${call} arguments`, () => {
    for (const args of c.good) {
      it(`accepts ${title(args)}`, () => {
        expect(validateCall(call, args)).toEqual({ call, args })
      })
    }
    for (const [args, code, message] of c.bad) {
      it(`refuses ${title(args)} with ${code}`, () => {
        const err = (() => {
          try {
            validateCall(call, args)
          } catch (e) {
            return e
          }
        })()
        expect(err).toBeInstanceOf(NodeError)
        expect((err as NodeError).code).toBe(code)
        expect((err as Error).message).toMatch(message)
      })
    }
  })
}

describe('file names', () => {
  it("follow Repy's rules", () => {
    for (const ok of ['a', 'a.b', 'x-y_z.9', '9', '-', '_x', 'a'.repeat(120), 'a..b'])
      expect(isValidFilename(ok), ok).toBe(true)
    for (const bad of ['', '.', '..', '.a', 'A', 'a b', 'a/b', 'é', 'a'.repeat(121), 'a\0'])
      expect(isValidFilename(bad), bad).toBe(false)
  })
})
