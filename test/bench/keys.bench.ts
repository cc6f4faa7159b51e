// Ed25519 request signing and verifying: our cached-KeyObject path (what the node's pipeline uses) against
// libp2p's own verify of the same signature, in one run.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import { sign, verify } from '../../src/keys/signatures.js'
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
    const runs = { sign: [] as number[], verify: [] as number[], libp2p: [] as number[] }
    for (let r = 0; r < ROUNDS; r++) {
      runs.sign.push(await rate(2000, () => sign(privateKey, msg)))
      runs.verify.push(await rate(2000, () => verify(text, msg, sig)))
      runs.libp2p.push(await rate(500, () => privateKey.publicKey.verify(msg, sig)))
    }
    console.log(`ed25519, 200-byte message, median of ${ROUNDS} rounds:`)
    console.log(`  sign                   ${fmt(median(runs.sign), 0)}/s`)
    console.log(
      `  verify (cached key)    ${fmt(median(runs.verify), 0)}/s   ${fmt(median(runs.verify) / median(runs.libp2p))}x libp2p's`,
    )
    console.log(`  libp2p publicKey.verify ${fmt(median(runs.libp2p), 0)}/s  (baseline)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
