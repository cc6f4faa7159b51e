// Ed25519 request signing and verifying: the path clients and the node's pipeline use (signatures.ts: libsodium
// where its addon loads) against node:crypto's OpenSSL with cached KeyObjects (the fallback, and what they used
// before) and libp2p's own verify, in one run.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import { ed25519, sign, verify } from '../../src/keys/signatures.js'
import { opensslEd25519 } from '../../src/keys/ed25519-openssl.js'
import { fmt, median } from './stats.js'

const ROUNDS = 5

/** Operations per second of `op` done `n` times. */
async function rate(n: number, op: () => unknown): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) await op()
  return n / ((performance.now() - t) / 1000)
}

export async function keysBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-keys-bench-'))
  try {
    const { privateKey, publicKeyText: text } = await generateKeyFiles(dir, 'bench')
    const msg = new Uint8Array(200).fill(7)
    const sig = sign(privateKey, msg)
    const opensslPriv = opensslEd25519.signingKey(privateKey.raw.subarray(0, 32))
    const opensslPub = opensslEd25519.verifyingKey(privateKey.publicKey.raw)!
    const runs = {
      sign: [] as number[],
      verify: [] as number[],
      opensslSign: [] as number[],
      opensslVerify: [] as number[],
      libp2p: [] as number[],
    }
    for (let r = 0; r < ROUNDS; r++) {
      runs.sign.push(await rate(2000, () => sign(privateKey, msg)))
      runs.verify.push(await rate(2000, () => verify(text, msg, sig)))
      runs.opensslSign.push(await rate(2000, () => opensslEd25519.sign(opensslPriv, msg)))
      runs.opensslVerify.push(await rate(2000, () => opensslEd25519.verify(opensslPub, msg, sig)))
      runs.libp2p.push(await rate(500, () => privateKey.publicKey.verify(msg, sig)))
    }
    console.log(`ed25519 (${ed25519.name}), 200-byte message, median of ${ROUNDS} rounds:`)
    console.log(`  sign                   ${fmt(median(runs.sign), 0)}/s`)
    console.log(
      `  verify (cached key)    ${fmt(median(runs.verify), 0)}/s   ${fmt(median(runs.verify) / median(runs.libp2p))}x libp2p's`,
    )
    console.log(`  node:crypto sign       ${fmt(median(runs.opensslSign), 0)}/s  (OpenSSL, cached KeyObject)`)
    console.log(`  node:crypto verify     ${fmt(median(runs.opensslVerify), 0)}/s  (OpenSSL, cached KeyObject)`)
    console.log(`  libp2p publicKey.verify ${fmt(median(runs.libp2p), 0)}/s  (baseline)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
