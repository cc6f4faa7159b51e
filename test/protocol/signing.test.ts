import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { NodeError, type ErrorCode } from '../../src/protocol/errors.js'
import { decodeRequest, encodeRequest, signingBytes, type SignedRequest } from '../../src/protocol/messages.js'
import { DEFAULT_MAX_LIFETIME_MS, DEFAULT_MAX_SKEW_MS, signRequest, verifyRequest } from '../../src/protocol/signing.js'

const user = await generateKeyPair('Ed25519')
const nodeId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const otherNodeId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const NOW = 1_750_000_000_000

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn()
  } catch (err) {
    if (err instanceof NodeError) return err.code
    throw err
  }
  return undefined
}

const signed = (over: Partial<Parameters<typeof signRequest>[1]> = {}): SignedRequest =>
  signRequest(user, {
    call: 'AddFileToVessel',
    args: ['v1', 'hello.js', new Uint8Array([1, 2, 3])],
    destination: nodeId,
    timestamp: NOW,
    ...over,
  })

describe('signRequest / verifyRequest', () => {
  it('a signed request survives the wire and verifies', () => {
    const req = signed()
    expect(req.nonce.length).toBe(16)
    expect(req.expiry - req.timestamp).toBe(10 * 60_000)
    const back = verifyRequest(encodeRequest(req), { nodePeerId: nodeId, now: NOW })
    expect(back.call).toBe('AddFileToVessel')
    expect(back.args[2]).toEqual(new Uint8Array([1, 2, 3]))
    expect(back.key).toBe(req.key)
    // decoded objects verify too
    expect(verifyRequest(decodeRequest(encodeRequest(req)), { nodePeerId: nodeId, now: NOW }).key).toBe(req.key)
  })

  it('signs fresh nonces', () => {
    expect(Buffer.from(signed().nonce).equals(Buffer.from(signed().nonce))).toBe(false)
    // nonces are drawn from the random source many at a time: over several draws each is new and a memory of its own
    const nonces = Array.from({ length: 1000 }, () => signed().nonce)
    expect(new Set(nonces.map((n) => Buffer.from(n).toString('hex'))).size).toBe(1000)
    expect(new Set(nonces.map((n) => n.buffer)).size).toBe(1000)
    expect(nonces.every((n) => n.constructor === Uint8Array && n.length === 16)).toBe(true)
  })

  it('any flipped byte of the signed fields or the signature is refused (E_SIGNATURE, or E_USAGE if it no longer parses)', () => {
    const bytes = encodeRequest(signed())
    const codes = new Set<string>()
    for (let i = 0; i < bytes.length; i++) {
      const bad = Uint8Array.from(bytes)
      bad[i]! ^= 0x01
      const code = codeOf(() => verifyRequest(bad, { nodePeerId: nodeId, now: NOW }))
      expect(code, `byte ${i}`).toBeDefined()
      expect(['E_SIGNATURE', 'E_USAGE'], `byte ${i}: ${code}`).toContain(code)
      codes.add(code!)
    }
    expect(codes.has('E_SIGNATURE')).toBe(true)
  })

  it('a changed field with the old signature is E_SIGNATURE', () => {
    const req = signed()
    for (const change of [
      { call: 'DeleteFileInVessel' },
      { args: ['v2', 'hello.js', new Uint8Array([1, 2, 3])] },
      { destination: otherNodeId },
      { timestamp: NOW + 1 },
      { expiry: req.expiry + 1 },
      { nonce: new Uint8Array(16) },
    ]) {
      expect(codeOf(() => verifyRequest({ ...req, ...change }, { nodePeerId: nodeId, now: NOW }))).toBe('E_SIGNATURE')
    }
  })

  it('a signature by another key than the one named is E_SIGNATURE', async () => {
    const other = signRequest(await generateKeyPair('Ed25519'), {
      call: 'StopVessel',
      args: ['v1'],
      destination: nodeId,
      timestamp: NOW,
    })
    const forged = { ...other, key: signed().key }
    expect(codeOf(() => verifyRequest(forged, { nodePeerId: nodeId, now: NOW }))).toBe('E_SIGNATURE')
  })

  it('an unusable key text is E_SIGNATURE with the reason', () => {
    const req = { ...signed(), key: 'ed25519-pub AAAA' }
    expect(() => verifyRequest(req, { nodePeerId: nodeId, now: NOW })).toThrow(/unusable key in request/)
  })

  it('an unsigned request is E_SIGNATURE', () => {
    expect(codeOf(() => verifyRequest({ call: 'StopVessel', args: ['v1'] }, { nodePeerId: nodeId, now: NOW }))).toBe(
      'E_SIGNATURE',
    )
  })

  it('a request for another node is E_DESTINATION', () => {
    const err = (() => {
      try {
        verifyRequest(signed({ destination: otherNodeId }), { nodePeerId: nodeId, now: NOW })
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(NodeError)
    expect((err as NodeError).code).toBe('E_DESTINATION')
    expect((err as Error).message).toContain(otherNodeId)
  })

  it('expired, far-future and too long-lived requests are E_EXPIRED', () => {
    const opts = { nodePeerId: nodeId }
    expect(codeOf(() => verifyRequest(signed({ lifetimeMs: 1000 }), { ...opts, now: NOW + 1000 }))).toBe('E_EXPIRED')
    expect(codeOf(() => verifyRequest(signed({ lifetimeMs: 1000 }), { ...opts, now: NOW + 999 }))).toBeUndefined()
    expect(() => verifyRequest(signed(), { ...opts, now: NOW + 11 * 60_000 })).toThrow(/expired at .*check the clocks/)
    expect(
      codeOf(() => verifyRequest(signed({ timestamp: NOW + DEFAULT_MAX_SKEW_MS + 1 }), { ...opts, now: NOW })),
    ).toBe('E_EXPIRED')
    expect(
      codeOf(() => verifyRequest(signed({ timestamp: NOW + DEFAULT_MAX_SKEW_MS }), { ...opts, now: NOW })),
    ).toBeUndefined()
    expect(() => verifyRequest(signed({ lifetimeMs: DEFAULT_MAX_LIFETIME_MS + 1 }), { ...opts, now: NOW })).toThrow(
      /valid for 3600 s; this node accepts at most 3600 s/,
    )
    expect(
      codeOf(() => verifyRequest(signed({ lifetimeMs: DEFAULT_MAX_LIFETIME_MS }), { ...opts, now: NOW })),
    ).toBeUndefined()
    expect(codeOf(() => verifyRequest(signed({ lifetimeMs: 5000 }), { ...opts, now: NOW, maxLifetimeMs: 4000 }))).toBe(
      'E_EXPIRED',
    )
    expect(
      codeOf(() =>
        verifyRequest(signed({ expiry: NOW - 1 + 2 * DEFAULT_MAX_SKEW_MS, timestamp: NOW + 2 * DEFAULT_MAX_SKEW_MS }), {
          ...opts,
          now: NOW,
        }),
      ),
    ).toBe('E_EXPIRED')
  })

  it('refuses a key of small order, for which any message has a valid signature', () => {
    // the encoding of the curve's neutral point as the key, and as the signature's R with S = 0: [S]B = R + [h]A holds
    // for every message (node:crypto's OpenSSL accepted this request)
    const neutral = new Uint8Array(32)
    neutral[0] = 1
    const signature = new Uint8Array(64)
    signature.set(neutral)
    const forged: SignedRequest = {
      ...signed(),
      key: `ed25519-pub ${Buffer.from(neutral).toString('base64')}`,
      signature,
    }
    expect(codeOf(() => verifyRequest(forged, { nodePeerId: nodeId, now: NOW }))).toBe('E_SIGNATURE')
    expect(codeOf(() => verifyRequest(signed(), { nodePeerId: nodeId, now: NOW }))).toBeUndefined()
  })

  it('the signed bytes start with a context string and do not include the signature', () => {
    const req = signed()
    const a = signingBytes(req)
    expect(Buffer.from(a).includes(Buffer.from('flotilla/nm/1 request'))).toBe(true)
    expect(
      Buffer.from(signingBytes({ ...req, signature: new Uint8Array(64) } as SignedRequest)).equals(Buffer.from(a)),
    ).toBe(true)
  })
})
