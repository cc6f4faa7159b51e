// Node managers advertise the keys of their vessels in the DHT and browse finds them: real in-process node
// managers (libp2p, LevelDB, sandbox hosts), announces living 6 s and renewed every 3 s; the shell and the
// `flotilla browse` CLI run as child processes from dist/.
import { requireBuild } from '../helpers/build.js'
import { flotilla as runCli, type CliResult } from '../helpers/flotilla-run.js'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeText } from '../../src/cli/node-format.js'
import { discoveryConfig } from '../../src/node/node-config.js'
import { waitForValue } from '../helpers/wait-for.js'
import { browseAlice, startNmNetwork, type NmNetwork } from './nm-network.js'

const flotilla = (args: string[], cwd: string): Promise<CliResult> => runCli(args, { cwd, timeoutMs: 30_000 })

const hasAlice = (keys: string[], alice: string): boolean => keys.includes(alice)

describe('discovery settings (node init / node start)', () => {
  const boot = '/ip4/127.0.0.1/tcp/1224/p2p/12D3KooWGKApV38wUY7nk5mW4QcuZCkmCSFL4mgJkKSKXTw4QnfF'
  it("defaults to Seattle's 750 s / 300 s without mDNS; start options override what init stored", () => {
    expect(discoveryConfig(undefined)).toEqual({ bootstrap: [], mdns: false, ttlS: 750, refreshS: 300 })
    const stored = discoveryConfig(undefined, { bootstrap: [boot], ttlS: 60 })
    expect(stored).toEqual({ bootstrap: [boot], mdns: false, ttlS: 60, refreshS: 30 })
    expect(discoveryConfig(stored, { mdns: true, refreshS: 10 })).toEqual({
      bootstrap: [boot],
      mdns: true,
      ttlS: 60,
      refreshS: 10,
    })
  })
  it('refuses an address without /p2p/, a non-multiaddr and a refresh longer than half the TTL', () => {
    expect(() => discoveryConfig(undefined, { bootstrap: ['/ip4/127.0.0.1/tcp/1224'] })).toThrow(
      /must end with \/p2p\//,
    )
    expect(() => discoveryConfig(undefined, { bootstrap: ['127.0.0.1:1224'] })).toThrow(/not a multiaddr/)
    expect(() => discoveryConfig(undefined, { ttlS: 10, refreshS: 6 })).toThrow(/at most half/)
  })
})

describe('two node managers, B bootstrapping from A', () => {
  let net: NmNetwork
  let a: string
  let alice: string
  beforeAll(async () => {
    requireBuild()
    net = await startNmNetwork(2)
    a = net.nodes[0]!.address
    alice = net.alice.publicKeyText
  }, 30_000)
  afterAll(async () => {
    await net?.stop()
  })

  const announcedOnB = async (): Promise<string[]> => net.nodes[1]!.nm.advertising().map((k) => k.key)
  /** Each test starts from alice as a user of B's v1, advertised (whatever an earlier test left). */
  const aliceOnB = async (): Promise<void> => {
    const b = await net.ownerClient(1)
    await b.call('ChangeUsers', ['v1', [alice]])
    await b.call('ChangeAdvertise', ['v1', true])
  }
  const aliceFindsB = (): Promise<Awaited<ReturnType<typeof browseAlice>>> =>
    waitForValue(
      () => browseAlice(net, a),
      (r) => r.some((n) => n.peerId === net.nodes[1]!.nm.peerId && n.vessels.length > 0),
      'alice finds B',
      40_000,
      300,
    )

  it('a ChangeUsers adding alice on B makes her browse find B and the vessel; node status shows the announce', async () => {
    await aliceOnB()
    const found = await aliceFindsB()
    expect(found).toHaveLength(1)
    expect(found[0]!.vessels).toEqual([{ name: 'v1', owner: false, user: true, status: 'Fresh' }])
    const summary = await (await net.ownerClient(1)).getVessels()
    const entry = summary.advertising?.find((k) => k.key === alice)
    expect(entry).toMatchObject({ error: null, peers: 1 })
    expect(nodeText(summary)).toMatch(/advertising 2 keys in the DHT:[\s\S]*announced \d+ s ago to 1 peer/)
  }, 90_000)

  it('the shell (browse, list, browsegood) and `flotilla browse --json` list the vessel with its node', async () => {
    await aliceOnB()
    await aliceFindsB()
    const [shell, cli] = await Promise.all([
      flotilla(
        ['shell', '--bootstrap', a, '-c', 'loadkeys alice; as alice; set timeout 15; browse; list; show targets'],
        net.dir,
      ),
      flotilla(
        ['browse', '--key', 'alice', '--keys', join(net.dir, 'keys'), '--bootstrap', a, '--timeout', '15', '--json'],
        net.dir,
      ),
    ])
    const short = net.nodes[1]!.nm.peerId.slice(-6)
    expect(shell.stderr).toBe('')
    expect(shell.code).toBe(0)
    expect(shell.stdout).toMatch(/browse: 1 node advertises 'alice'/)
    expect(shell.stdout).toMatch(new RegExp(`%1\\s+${short}:v1\\s+Fresh`))
    expect(shell.stdout).toMatch(new RegExp(`browsegood \\(1\\): ${short}:v1`))
    expect(cli.code).toBe(0)
    const result = JSON.parse(cli.stdout) as {
      key: string
      nodes: Array<{ peerId: string; address: string; vessels: Array<{ name: string }> }>
    }
    expect(result.key).toBe(alice)
    expect(result.nodes.map((n) => [n.peerId, n.address, n.vessels.map((v) => v.name)])).toEqual([
      [net.nodes[1]!.nm.peerId, net.nodes[1]!.address, ['v1']],
    ])
  }, 90_000)

  it('ChangeAdvertise off withdraws the key at once on B and from browse after the TTL; ChangeUsers removal too', async () => {
    await aliceOnB()
    await aliceFindsB()
    const b = await net.ownerClient(1)
    await b.call('ChangeAdvertise', ['v1', false])
    await waitForValue(announcedOnB, (keys) => !hasAlice(keys, alice), 'B stops announcing alice', 10_000, 300)
    await waitForValue(
      () => browseAlice(net, a, 3_000),
      (r) => r.length === 0,
      'browse no longer finds B',
      40_000,
      300,
    )
    // on again, then a ChangeUsers without her: withdrawn again
    await b.call('ChangeAdvertise', ['v1', true])
    await waitForValue(announcedOnB, (keys) => hasAlice(keys, alice), 'B announces alice again', 10_000, 300)
    await b.call('ChangeUsers', ['v1', []])
    await waitForValue(announcedOnB, (keys) => !hasAlice(keys, alice), 'B stops announcing alice', 10_000, 300)
    expect(await announcedOnB()).toEqual([(await net.owner(1)).publicKeyText])
  }, 120_000)
})

// Node 0 is the bootstrap, node 1 the one browsed through, nodes 2-4 serve the key: the two serving nothing must not be
// listed. (Eight nodes, three more serving nothing, took 14-15 s of cpu against 10.)
describe('five node managers', () => {
  let net: NmNetwork
  let alice: string
  beforeAll(async () => {
    net = await startNmNetwork(5)
    alice = net.alice.publicKeyText
  }, 40_000)
  afterAll(async () => {
    await net?.stop()
  })

  const peers = (r: Awaited<ReturnType<typeof browseAlice>>): string[] =>
    r
      .filter((n) => n.vessels.length > 0)
      .map((n) => n.peerId)
      .sort()
  const addAlice = async (nodes: number[]): Promise<void> => {
    for (const k of nodes) await (await net.ownerClient(k)).call('ChangeUsers', ['v2', [alice]])
  }

  it('a key added on nodes 2, 3 and 4 is found through node 1', async () => {
    await addAlice([2, 3, 4])
    const want = [2, 3, 4].map((k) => net.nodes[k]!.nm.peerId).sort()
    const found = await waitForValue(
      () => browseAlice(net, net.nodes[1]!.address),
      (r) => peers(r).join() === want.join(),
      'nodes 2-4 found',
      90_000,
      300,
    )
    expect(found.flatMap((n) => n.vessels.map((v) => v.name))).toEqual(['v2', 'v2', 'v2'])
  }, 180_000)

  // This one stops nodes 3 and 4 for good, so it is the last test of this network.
  it('a restarted node (same data and port) is found again past the TTL; a node that left disappears', async () => {
    await addAlice([2, 3, 4])
    await waitForValue(
      () => browseAlice(net, net.nodes[1]!.address),
      (r) => peers(r).length === 3,
      'nodes 2-4 found',
      90_000,
      300,
    )
    // node 3 stops first: its old copies expire before node 4's, so once 4 is gone 3 is found by fresh announces
    const leaving = net.nodes[4]!
    await net.nodes[3]!.nm.stop()
    await leaving.nm.stop()
    const left = Date.now()
    const restarted = await net.restart(3)
    expect(restarted.nm.peerId).toBe(net.nodes[3]!.nm.peerId)
    const want = [2, 3].map((k) => net.nodes[k]!.nm.peerId).sort()
    await waitForValue(
      () => browseAlice(net, net.nodes[1]!.address),
      (r) => r.every((n) => n.peerId !== leaving.nm.peerId) && peers(r).join() === want.join(),
      'node 4 gone, 2 and 3 found',
      90_000,
      300,
    )
    // node 4's records expired (TTL 6 s after its last announce, at most 3 s before it left), not at once: node 3's
    // are the ones it announced after its restart
    expect(Date.now() - left).toBeGreaterThan(2_500)
    expect(restarted.nm.advertising().find((k) => k.key === alice)?.lastSuccess).not.toBeNull()
  }, 240_000)
})
