import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { NodeError } from '../../src/protocol/errors.js'
import {
  MAX_MESSAGE_BYTES,
  decodeRequest,
  decodeResponse,
  encodeCbor,
  encodeRequest,
  encodeResponse,
  errorResponse,
} from '../../src/protocol/messages.js'
import { signRequest } from '../../src/protocol/signing.js'

const user = await generateKeyPair('Ed25519')
const good = signRequest(user, { call: 'StopVessel', args: ['v1'], destination: '12D3KooWnode' })

function refusal(fn: () => unknown): NodeError {
  try {
    fn()
  } catch (err) {
    if (err instanceof NodeError) return err
    throw err
  }
  throw new Error('expected a NodeError')
}

describe('request decoding at the edge', () => {
  it('round-trips signed and unsigned requests', () => {
    expect(decodeRequest(encodeRequest(good))).toEqual(good)
    expect(decodeRequest(encodeRequest({ call: 'GetVessels', args: [] }))).toEqual({ call: 'GetVessels', args: [] })
  })

  it('encodes plain CBOR (a map with text keys, untagged byte strings)', () => {
    const bytes = encodeRequest({ call: 'X', args: [new Uint8Array([9])] })
    expect(bytes[0]).toBe(0xa2) // map of 2
    expect(Buffer.from(bytes).toString('hex')).toBe('a26463616c6c61586461726773814109')
  })

  it('oversized messages are E_SIZE, both ways', () => {
    const big = new Uint8Array(MAX_MESSAGE_BYTES + 1)
    expect(refusal(() => decodeRequest(big)).code).toBe('E_SIZE')
    const err = refusal(() =>
      encodeRequest({ call: 'AddFileToVessel', args: ['v1', 'f', new Uint8Array(MAX_MESSAGE_BYTES)] }),
    )
    expect(err.code).toBe('E_SIZE')
    expect(err.message).toMatch(/limit is 16777216/)
  })

  it('empty, truncated and garbage bytes are E_USAGE with a clear message', () => {
    const bytes = encodeRequest(good)
    expect(refusal(() => decodeRequest(new Uint8Array(0))).message).toBe('malformed request: empty message')
    for (const cut of [1, 10, bytes.length - 1]) {
      const err = refusal(() => decodeRequest(bytes.subarray(0, cut)))
      expect(err.code).toBe('E_USAGE')
      expect(err.message).toMatch(/^malformed request: /)
    }
    expect(refusal(() => decodeRequest(bytes.subarray(0, bytes.length - 1))).message).toMatch(/truncated/)
    for (const garbage of ['ffff', '00', 'deadbeef', '1c', '5f41']) {
      const err = refusal(() => decodeRequest(Buffer.from(garbage, 'hex')))
      expect(err.code, garbage).toBe('E_USAGE')
    }
    expect(refusal(() => decodeRequest(new TextEncoder().encode('{"call":"GetVessels"}'))).code).toBe('E_USAGE')
    expect(refusal(() => decodeRequest(Buffer.concat([bytes, Buffer.from([0])]))).code).toBe('E_USAGE')
  })

  it('wrong shapes are E_USAGE naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [['GetVessels', []], /expected a map/],
      ['GetVessels', /expected a map/],
      [{ call: 'GetVessels' }, /field 'args'/],
      [{ call: 7, args: [] }, /field 'call'/],
      [{ call: 'GetVessels', args: [], extra: 1 }, /unknown field 'extra'/],
      [{ call: 'GetVessels', args: [null] }, /argument 1 of GetVessels/],
      [{ call: 'GetVessels', args: [{ a: 1 }] }, /argument 1/],
      [{ call: 'GetVessels', args: [new Date(0)] }, /argument 1/],
      [{ call: 'GetVessels', args: [[[['deep']]]] }, /argument 1/],
      [{ call: 'GetVessels', args: [], key: good.key }, /field 'key' given but no 'signature'/],
      [{ ...good, nonce: new Uint8Array(8) }, /field 'nonce' must be 16 bytes/],
      [{ ...good, signature: 'sig' }, /field 'signature' must be 64 bytes/],
      [{ ...good, timestamp: 1.5 }, /field 'timestamp'/],
      [{ ...good, expiry: '1' }, /field 'expiry'/],
      [{ ...good, destination: '' }, /field 'destination'/],
      [{ ...good, key: 'x'.repeat(500) }, /field 'key'/],
      [(({ expiry: _e, ...rest }) => rest)(good), /lacks field 'expiry'/],
    ]
    for (const [value, message] of cases) {
      const err = refusal(() => decodeRequest(encodeCbor(value)))
      expect(err.code).toBe('E_USAGE')
      expect(err.message).toMatch(message)
    }
  })
})

describe('responses', () => {
  it('round-trip values and errors', () => {
    expect(decodeResponse(encodeResponse({ ok: true, value: { vessels: ['v1'], data: new Uint8Array([1]) } }))).toEqual(
      { ok: true, value: { vessels: ['v1'], data: Buffer.from([1]) } },
    )
    expect(decodeResponse(encodeResponse(errorResponse(new NodeError('E_NO_VESSEL', 'no vessel v9'))))).toEqual({
      ok: false,
      code: 'E_NO_VESSEL',
      message: 'no vessel v9',
    })
  })

  it('hides internal errors and maps unknown codes to E_INTERNAL', () => {
    expect(errorResponse(new Error('secret path /x'))).toEqual({
      ok: false,
      code: 'E_INTERNAL',
      message: 'internal error',
    })
    expect(decodeResponse(encodeCbor({ ok: false, code: 'E_WHATEVER', message: 'm' }))).toEqual({
      ok: false,
      code: 'E_INTERNAL',
      message: 'm',
    })
    expect(refusal(() => decodeResponse(encodeCbor([1]))).code).toBe('E_USAGE')
  })

  it('an oversized response becomes an E_SIZE response', () => {
    const r = decodeResponse(encodeResponse({ ok: true, value: new Uint8Array(MAX_MESSAGE_BYTES) }))
    expect(r.ok === false && r.code).toBe('E_SIZE')
  })
})
