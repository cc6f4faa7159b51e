// The two Ed25519 implementations signatures.ts chooses between (libsodium, and node:crypto's OpenSSL where the
// addon has no build): the same signatures, the same answers, and both refuse every key of small order.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { opensslEd25519 } from '../../src/keys/ed25519-openssl.js'
import { sodiumEd25519 } from '../../src/keys/ed25519-sodium.js'
import { ed25519 } from '../../src/keys/signatures.js'
import type { Ed25519Backend } from '../../src/keys/ed25519-backend.js'

const key = await generateKeyPair('Ed25519')
const message = new TextEncoder().encode('StopVessel v1')

describe('Ed25519 backends', () => {
  it("libsodium's addon loads on this platform (linux-x64), and signing uses it", () => {
    expect(sodiumEd25519).toBeDefined()
    expect(ed25519.name).toBe('libsodium')
  })

  const backends: Array<Ed25519Backend<unknown, unknown>> = [opensslEd25519, sodiumEd25519!]
  for (const backend of backends) {
    describe(backend.name, () => {
      const seed = key.raw.subarray(0, 32)

      it("signs as libp2p does, and each verifies the other one's signatures", async () => {
        const signature = backend.sign(backend.signingKey(seed), message)
        expect(signature).toEqual(Uint8Array.from(await key.sign(message)))
        const pub = backend.verifyingKey(key.publicKey.raw)!
        expect(backend.verify(pub, message, signature)).toBe(true)
        for (const other of backends) {
          expect(other.verify(other.verifyingKey(key.publicKey.raw), message, signature)).toBe(true)
        }
      })

      it('refuses a changed message or signature', () => {
        const signature = backend.sign(backend.signingKey(seed), message)
        const pub = backend.verifyingKey(key.publicKey.raw)!
        expect(backend.verify(pub, new TextEncoder().encode('StopVessel v2'), signature)).toBe(false)
        const changed = Uint8Array.from(signature)
        changed[10]! ^= 1
        expect(backend.verify(pub, message, changed)).toBe(false)
      })

      it('refuses every key of small order (with the neutral point, one signature is valid for every message)', () => {
        for (const hex of ED25519_TORSION_SUBGROUP) {
          const raw = Uint8Array.from(Buffer.from(hex, 'hex'))
          const pub = backend.verifyingKey(raw)
          if (pub !== null) {
            // libsodium refuses it at verify: a signature whose R is the key itself and S = 0
            const forged = new Uint8Array(64)
            forged.set(raw)
            expect(backend.verify(pub, message, forged), hex).toBe(false)
          }
        }
      })
    })
  }
})
