// The testbed on one machine: 22 real node managers (more than kad-dht's K = 20) sharing one owner key,
// browsed with the real `flotilla browse` (dist/, a child process). Every node is listed with its vessel, the
// result is printed (the exit-13 hang lost it), and nodes that stopped are listed apart with exit 3: their provider
// records stay on other DHT nodes until the TTL.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowseResult } from '../../src/cli/browse.js'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import { NodeManager } from '../../src/node/node-manager.js'
import { requireBuild } from '../helpers/build.js'
import { flotilla, type CliResult } from '../helpers/flotilla-run.js'
import { waitFor, waitForValue } from '../helpers/wait-for.js'

const COUNT = 22
const STOPPED = 2

describe(`flotilla browse on ${COUNT} node managers sharing one owner key`, () => {
  let dir: string
  let owner: string
  const nodes: NodeManager[] = []

  const start = async (i: number, bootstrap: string[]): Promise<NodeManager> =>
    NodeManager.start({
      dataDir: join(dir, `n${i}`, 'data'),
      keysDir: join(dir, `n${i}`, 'keys'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      init: { donatePercent: 2, vessels: 1, ownerKeyName: join(dir, 'keys', 'owner') },
      // announced once: the test runs well within the TTL
      discovery: { bootstrap, ttlS: 600, refreshS: 300 },
      // they run no program: the engine warm-up would cost each of the 22 starts a second of a core
      engineWarmUp: false,
    })

  beforeAll(async () => {
    requireBuild()
    dir = mkdtempSync(join(tmpdir(), 'flotilla-browse-many-'))
    owner = (await generateKeyFiles(join(dir, 'keys'), 'owner')).publicKeyText
    nodes.push(await start(0, []))
    const bootstrap = [nodes[0]!.addresses[0]!]
    for (let i = 1; i < COUNT; i += 4) {
      const batch = Array.from({ length: Math.min(4, COUNT - i) }, (_, j) => start(i + j, bootstrap))
      nodes.push(...(await Promise.all(batch)))
    }
    // a first announce may time out on a loaded machine; the node retries it every few seconds
    await waitFor(
      async () => nodes.every((n) => n.advertising().some((k) => k.key === owner && k.lastSuccess !== null)),
      () => `every node announced the owner key`,
      180_000,
      500,
    )
  }, 300_000)
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)))
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  const browse = (): Promise<CliResult> =>
    flotilla(
      ['browse', '--key', 'owner', '--keys', join(dir, 'keys'), '--bootstrap', nodes[0]!.addresses[0]!, '--json'],
      { cwd: dir, timeoutMs: 90_000 },
    )
  const parsed = (r: CliResult): BrowseResult | null => {
    try {
      return JSON.parse(r.stdout) as BrowseResult
    } catch {
      return null
    }
  }
  it('lists every node with its vessel and exits 0; nodes that stopped are listed apart and it exits 3', async () => {
    const all = nodes.map((n) => n.peerId).sort()
    // a lookup on a loaded machine may run out of time before it reached every record: browse again until exact
    const first = await waitForValue(
      browse,
      (r) => r.code === 0 && parsed(r)?.nodes.length === COUNT,
      'all found',
      240_000,
      500,
    )
    const result = parsed(first)!
    expect(first.stderr).toBe('')
    expect(result.key).toBe(owner)
    expect(result.nodes.map((n) => n.peerId).sort()).toEqual(all)
    expect(result.unreachable).toEqual([])
    for (const n of result.nodes) expect(n.vessels).toEqual([{ name: 'v1', owner: true, user: false, status: 'Fresh' }])

    const stopped = nodes.slice(COUNT - STOPPED)
    await Promise.all(stopped.map((n) => n.stop()))
    const gone = stopped.map((n) => n.peerId).sort()
    const after = await waitForValue(
      browse,
      (r) => r.code === 3 && parsed(r)?.nodes.length === COUNT - STOPPED && parsed(r)?.unreachable.length === STOPPED,
      'the stopped nodes listed apart',
      240_000,
      500,
    )
    const second = parsed(after)!
    expect(second.unreachable.map((n) => n.peerId).sort()).toEqual(gone)
    expect(second.nodes.map((n) => n.peerId).sort()).toEqual(all.filter((p) => !gone.includes(p)))
    for (const n of second.unreachable) expect(n.error).toMatch(/^E_/)
  }, 600_000)
})
