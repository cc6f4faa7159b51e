// Crash durability: the node manager runs in a child process (`flotilla node start`) and is killed with SIGKILL
// in the middle of uploads, splits and ChangeUsers, round after round. After each restart every acknowledged
// change is there, no split is half done (the resources add up), and the vessel that was Started runs again.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { generateKeyFiles, type KeyPair } from '../../src/keys/key-files.js'
import { NodeError } from '../../src/protocol/errors.js'
import type { NodeSummary } from '../../src/protocol/results.js'
import { initNode } from '../../src/node/node-config.js'
import { nodePaths } from '../../src/node/node-paths.js'
import { OFFCUT } from '../../src/node/split-join.js'
import { VesselStore } from '../../src/node/vessel-store.js'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { PROJECT, SLEEPER, enc, makeKeys, requireBuild, tempDir, text, waitFor } from './nm-helpers.js'

// Each round kills the node at a random moment while all three kinds of change are in flight; five rounds make that
// point; more rounds only repeat it at other random moments, at the cost of a node start each
const ROUNDS = 5
const SPLIT = 'resource cpu .001\nresource memory 1000\nresource diskused 1000\n'

let dir: string
let keysDir: string
let dataDir: string
let owner: KeyPair
let userKeys: string[]
let transport: ClientTransport
let child: ChildProcess | undefined

/** A node start; without the engine warm-up, whose cpu (a second of a core) each of the six starts would pay while
 *  the changes run: the subject is the store. --quiet: its errors reach the test's output, not its 500 lines of
 *  requests. */
async function startChild(): Promise<{ client: NodeClient; summary: NodeSummary }> {
  child = spawn(
    process.execPath,
    [
      join(PROJECT, 'bin/flotilla'),
      'node',
      'start',
      '--data',
      dataDir,
      '--keys',
      keysDir,
      '--json',
      '--no-warm-up',
      '--quiet',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child!.stdout! })
    rl.once('line', resolve)
    child!.once('exit', (code) => reject(new Error(`node exited with ${code}`)))
  })
  const summary = JSON.parse(line) as NodeSummary
  const client = await NodeClient.connect(summary.addresses[0]!, { identity: owner, transport })
  return { client, summary }
}

function kill(): Promise<void> {
  const c = child!
  return new Promise((resolve) => {
    c.once('exit', () => resolve())
    c.kill('SIGKILL')
  })
}

beforeAll(async () => {
  requireBuild()
  dir = tempDir('flotilla-crash-')
  keysDir = join(dir, 'keys')
  dataDir = join(dir, 'data')
  owner = (await makeKeys(keysDir)).owner
  userKeys = await Promise.all(
    Array.from({ length: 12 }, async (_, i) => (await generateKeyFiles(keysDir, `u${i}`)).publicKeyText),
  )
  const paths = nodePaths(dataDir)
  const store = await VesselStore.open(paths.state)
  await initNode(store, paths, keysDir, {
    donatePercent: 50,
    vessels: 3,
    ownerKeyName: 'owner',
    listen: ['/ip4/127.0.0.1/tcp/0'],
  })
  await store.close()
  transport = await ClientTransport.create()
})
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) await kill()
  await transport?.close()
})

describe('durability', () => {
  it(`keeps every acknowledged change through ${ROUNDS} SIGKILLs in the middle of mutating requests`, async () => {
    let { client } = await startChild()
    // v1 runs a program that must come back after every crash; v2 takes the splits; v3 the uploads and users
    await client.call('AddFileToVessel', ['v1', 'sleeper.js', enc(SLEEPER)])
    await client.call('StartVessel', ['v1', 'sleeper.js', []])
    const initial = await resourcesOf(client)
    const acked = new Map<string, string>()
    const createdBySplit: string[] = []
    let usersAcked = 0

    for (let round = 0; round < ROUNDS; round++) {
      let killed = false
      const guard = async (fn: () => Promise<void>): Promise<void> => {
        try {
          while (!killed) await fn()
        } catch (err) {
          if (!(err instanceof NodeError && (err.code === 'E_UNREACHABLE' || err.code === 'E_TIMEOUT')))
            failure ??= { error: err }
        }
      }
      let n = 0
      let splitHead = await largestVessel(client)
      let failure: { error: unknown } | undefined
      const chains = [
        guard(async () => {
          const name = `r${round}-f${n++}.txt`
          const body = `${name} ${'x'.repeat(n * 97)}`
          await client.call('AddFileToVessel', ['v3', name, enc(body)])
          acked.set(name, body)
        }),
        guard(async () => {
          const k = (usersAcked % userKeys.length) + 1
          await client.call('ChangeUsers', ['v3', userKeys.slice(0, k)])
          usersAcked++
        }),
        guard(async () => {
          // each split takes the offcut's 2 events from the vessel's 164: stop well before they run out
          if (createdBySplit.length >= 60) return void (await new Promise((r) => setTimeout(r, 20)))
          const [left, made] = await client.call('SplitVessel', [splitHead, SPLIT])
          createdBySplit.push(made)
          splitHead = left
        }),
      ]
      // the kill lands a random moment after this round's first acknowledged change (a loaded machine may take
      // seconds to get there; a fixed delay then killed before anything was acknowledged)
      const progress = (): number => acked.size + usersAcked + createdBySplit.length
      const before = progress()
      await waitFor(
        async () => progress() > before || failure !== undefined,
        'a change acknowledged in this round',
        60_000,
      )
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 250)))
      await kill()
      killed = true
      await Promise.all(chains)
      if (failure !== undefined) throw failure.error

      ;({ client } = await startChild())
      const summary = await client.getVessels()
      const names = summary.vessels.map((v) => v.name)
      // every acknowledged upload is there, whole
      const files = new Set(await client.call('ListFilesInVessel', ['v3']))
      for (const [name, body] of acked) {
        expect(files.has(name), name).toBe(true)
        expect(text(await client.call('RetrieveFileFromVessel', ['v3', name]))).toBe(body)
      }
      // ChangeUsers: the last acknowledged list, or the one in flight when the node died
      const users = summary.vessels.find((v) => v.name === 'v3')!.userKeys.length
      const lastAcked = usersAcked === 0 ? 0 : ((usersAcked - 1) % userKeys.length) + 1
      expect([lastAcked, (usersAcked % userKeys.length) + 1]).toContain(users)
      // every acknowledged split's vessel exists; the resources add up (no half-done split)
      for (const made of createdBySplit) expect(names).toContain(made)
      const now = await resourcesOf(client)
      const extra = names.length - 3
      expect(now.cpu + extra * OFFCUT.limits.cpu).toBeCloseTo(initial.cpu, 6)
      expect(now.memory + extra * OFFCUT.limits.memory).toBe(initial.memory)
      expect(now.diskused + extra * OFFCUT.limits.diskused).toBe(initial.diskused)
      // the Started vessel was started again
      expect(summary.vessels.find((v) => v.name === 'v1')!.status).toBe('Started')
      await waitFor(
        async () => ((await client.call('GetVesselUsage', ['v1'])).usage?.memory ?? 0) > 0,
        'v1 running again',
      )
    }
    // the rounds did change things of each kind (on a loaded machine a round may get only its first change in)
    expect(acked.size).toBeGreaterThan(0)
    expect(createdBySplit.length).toBeGreaterThan(0)
    await kill()
  }, 120_000) // five node restarts: about 10 s on a quiet machine, several times that on a loaded one
})

/** The vessel with the most memory (the one to split next; the split-off ones are tiny). */
async function largestVessel(client: NodeClient): Promise<string> {
  let best = { name: '', memory: -1 }
  for (const v of (await client.getVessels()).vessels) {
    if (v.name === 'v1' || v.name === 'v3') continue
    const memory = parseRestrictions(await client.call('GetVesselResources', [v.name])).limits.memory
    if (memory > best.memory) best = { name: v.name, memory }
  }
  return best.name
}

async function resourcesOf(client: NodeClient): Promise<{ cpu: number; memory: number; diskused: number }> {
  const sum = { cpu: 0, memory: 0, diskused: 0 }
  for (const v of (await client.getVessels()).vessels) {
    const r = parseRestrictions(await client.call('GetVesselResources', [v.name]))
    sum.cpu += r.limits.cpu
    sum.memory += r.limits.memory
    sum.diskused += r.limits.diskused
  }
  return sum
}
