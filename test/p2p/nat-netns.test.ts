// Nodes behind NAT on a simulated internet (scripts/netlab/lab.ts, network namespaces; root only): one public node that is
// bootstrap and relay, a node behind a port-preserving NAT, one behind a symmetric NAT (--random-fully), and a client
// on the internet. The NATed nodes find out that they are behind a NAT from what the public node sees, reserve a slot
// on it, and the client finds and uses both through it with the everyday commands and no flag. A third NATed node
// is donated to a pool on the public host and joins the DHT through the pool, so that it tells the pool where it is
// (Announce, at start) before it has a relay slot: it finds the relay through the pool's DHT a moment later, and the
// pool lends its vessel at a relayed address only if the node told it again.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowseResult } from '../../src/cli/browse.js'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import type { Lease } from '../../src/pool/pool-calls.js'
import type { DeployReport } from '../../src/shell/deploy.js'
import { waitForValue } from '../helpers/wait-for.js'
import { BRIDGE_NET, Netlab, netlabUnavailable, type LabNode } from '../../scripts/netlab/lab.js'

const why = netlabUnavailable()

describe.skipIf(why !== null)(
  `nodes behind NAT in network namespaces${why === null ? '' : ` (skipped: ${why})`}`,
  () => {
    let lab: Netlab
    let keysDir: string
    let pub: LabNode
    let natted: LabNode[] = []
    let donated: LabNode
    let poolAddress: string

    beforeAll(async () => {
      lab = Netlab.create({ publicHosts: 1, homes: ['cone', 'symmetric', 'cone'] })
      keysDir = join(lab.dir, 'keys')
      await generateKeyFiles(keysDir, 'exp')
      // --no-warm-up: each node runs one small program at most, far less than the warm-up's second of a core
      const extra = ['--no-warm-up']
      const node = (name: string, host = lab.publicHosts[0]!, owner = name, bootstrap: string[] = []) =>
        lab.startNode(host, { name, keysDir: join(lab.dir, `${name}-keys`), owner, bootstrap, extra })
      pub = await node('public')
      const exp = join(keysDir, 'exp.privatekey')
      // the pool looks its key up in the DHT only every 10 minutes: within the test, only the node's Announces count
      poolAddress = await lab.startPool(lab.publicHosts[0]!, {
        name: 'pool',
        bootstrap: [pub.address],
        extra: ['--check-interval', '600'],
      })
      const donor = lab.homes[2]!
      const donorKeys = join(lab.dir, 'donor-keys')
      const init = await lab.flotilla(donor, [
        ...['node', 'init', '--pool', poolAddress, '--vessels', '1', '--listen', `/ip4/${donor.ip}/tcp/4001`],
        ...['--data', lab.dataDirOf('donor'), '--keys', donorKeys],
      ])
      expect(init.code, init.stderr).toBe(0)
      ;[natted, donated] = await Promise.all([
        Promise.all(lab.homes.slice(0, 2).map((home, k) => node(`home${k}`, home, exp, [pub.address]))),
        lab.startNode(donor, { name: 'donor', keysDir: donorKeys, bootstrap: [poolAddress], extra }),
      ])
    }, 120_000)
    afterAll(async () => {
      await lab?.stop()
    })

    it('each NATed node sees its NAT and becomes reachable through the public node; the public node is public', async () => {
      for (const [k, node] of natted.entries()) {
        const summary = await waitForValue(
          () => lab.status(node),
          (s) => s?.reachability?.how === 'relay',
          `home${k} (${node.host.nat} NAT) reachable through the relay`,
          60_000,
          500,
        )
        expect(summary!.reachability).toEqual({
          how: 'relay',
          relays: [pub.peerId],
          natAddresses: [`${BRIDGE_NET}.${100 + k}`],
        })
        for (const a of summary!.addresses) expect(a).toContain(`/p2p/${pub.peerId}/p2p-circuit`)
      }
      // its --listen address is public (scripts/netlab/lab.ts): announced as such at once, without waiting for AutoNAT
      expect((await lab.status(pub))!.reachability).toEqual({ how: 'public', relays: [], natAddresses: [] })
    }, 150_000)

    it('from the internet, browse finds both NATed nodes and a node call and a deploy reach both, with no flag', async () => {
      const browse = async (): Promise<BrowseResult['nodes']> => {
        const args = ['browse', '--key', 'exp', '--keys', keysDir, '--bootstrap', pub.address, '--json']
        const result = await lab.flotilla(lab.client, [...args, '--timeout', '15'])
        // exit 0 or 3 (some found node did not answer) both print the result; its nodes are the ones that answered
        return result.stdout.startsWith('{') ? (JSON.parse(result.stdout) as BrowseResult).nodes : []
      }
      const ids = natted.map((n) => n.peerId).sort()
      const nodes = await waitForValue(
        browse,
        (found) => ids.every((id) => found.some((n) => n.peerId === id && n.address.includes('p2p-circuit'))),
        'both NATed nodes found and answering through the relay',
        120_000,
        1_000,
      )
      const addresses = ids.map((id) => nodes.find((n) => n.peerId === id)!.address)
      for (const address of addresses) {
        const call = await lab.flotilla(lab.client, ['node', 'call', address, 'GetVessels', '--json'])
        expect(call.code).toBe(0)
      }
      const deploy = await lab.deploy(addresses, "log('hello from behind NAT\\n')\n", 'exp', keysDir)
      expect(deploy.code, deploy.stderr).toBe(0)
      const report = JSON.parse(deploy.stdout) as DeployReport
      expect(report).toMatchObject({ vessels: 2, started: 2, failed: 0, unreachable: 0 })
      // the programs ran: their logs read back through the relay
      for (const address of addresses) {
        const read = ['node', 'call', address, 'ReadVesselLog', 'v1', '--key', 'exp', '--keys', keysDir]
        await waitForValue(
          () => lab.flotilla(lab.client, read),
          (r) => r.stdout.includes('hello from behind NAT'),
          `the log of v1 at ${address}`,
          60_000,
          500,
        )
      }
    }, 300_000)

    it('a pool reaches a node behind NAT that was donated to it: acquire, deploy and its log through the relay', async () => {
      const acquire = ['pool', 'acquire', '1', '--key', 'exp', '--keys', keysDir, '--pool', poolAddress, '--json']
      // refused (E_NO_FREE) until the node told the pool an address it answers at
      const got = await waitForValue(
        () => lab.flotilla(lab.client, acquire),
        (r) => r.code === 0,
        'the pool to lend the vessel of the donated node',
        60_000,
        1_000,
      )
      const [lease] = JSON.parse(got.stdout) as Lease[]
      expect(lease!.id).toBe(`${donated.peerId}:v1`)
      expect(lease!.node).toContain('/p2p-circuit/')
      const deploy = await lab.deploy([lease!.node], "log('hello through the pool\\n')\n", 'exp', keysDir)
      expect(deploy.code, deploy.stderr + deploy.stdout).toBe(0)
      expect(JSON.parse(deploy.stdout)).toMatchObject({ vessels: 1, started: 1, failed: 0, unreachable: 0 })
      const read = ['node', 'call', lease!.node, 'ReadVesselLog', 'v1', '--key', 'exp', '--keys', keysDir]
      await waitForValue(
        () => lab.flotilla(lab.client, read),
        (r) => r.stdout.includes('hello through the pool'),
        `the log of ${lease!.id}`,
        60_000,
        500,
      )
    }, 180_000)
  },
)
