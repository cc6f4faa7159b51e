// In-process node managers that take part in discovery, with short announce lifetimes (TTL 6 s, refresh 3 s; with
// TTL 3 s and refresh 1 s, eight nodes re-announcing every second took most of the eight-node file's cpu):
// node 0 listens, the others bootstrap from it. Alice is an experimenter whose key the tests add to vessels.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { findNodes, vesselsForKey, type NodeVessels } from '../../src/client/browse.js'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { generateKeyFiles, loadPrivateKey, publicKeyText, type KeyPair } from '../../src/keys/key-files.js'
import { NodeManager } from '../../src/node/node-manager.js'
import type { DiscoveryConfig } from '../../src/node/node-config.js'
import { tempDir } from '../helpers/temp-dir.js'

export const FAST_ADVERTISE: Partial<DiscoveryConfig> = { ttlS: 6, refreshS: 3 }

export interface NmNode {
  nm: NodeManager
  dataDir: string
  keysDir: string
  /** listen address with /p2p/ */
  address: string
}

export interface NmNetwork {
  dir: string
  alice: KeyPair
  nodes: NmNode[]
  /** node i's owner key (owner of all its vessels) */
  owner(i: number): Promise<KeyPair>
  /** a client of node i signing with its owner key */
  ownerClient(i: number): Promise<NodeClient>
  /** starts node i again after stop (same data folder, keys and port) */
  restart(i: number): Promise<NmNode>
  stop(): Promise<void>
}

async function startNm(dataDir: string, keysDir: string, listen: string, bootstrap: string[]): Promise<NmNode> {
  const nm = await NodeManager.start({
    dataDir,
    keysDir,
    listen: [listen],
    init: { donatePercent: 10, vessels: 2, listen: [listen] },
    discovery: { ...FAST_ADVERTISE, bootstrap },
    // they run no program: the engine warm-up would cost each start a second of a core
    engineWarmUp: false,
  })
  return { nm, dataDir, keysDir, address: nm.addresses[0]! }
}

/** `count` node managers on 127.0.0.1; node 0 first, then the others a few at a time, bootstrapping from it. */
export async function startNmNetwork(count: number): Promise<NmNetwork> {
  const dir = tempDir('flotilla-nmdisc-')
  const alice = await generateKeyFiles(join(dir, 'keys'), 'alice')
  const paths = (i: number) => ({ dataDir: join(dir, `n${i}`, 'data'), keysDir: join(dir, `n${i}`, 'keys') })
  const nodes: NmNode[] = [await startNm(paths(0).dataDir, paths(0).keysDir, '/ip4/127.0.0.1/tcp/0', [])]
  const bootstrap = [nodes[0]!.address]
  for (let i = 1; i < count; i += 4) {
    const batch = Array.from({ length: Math.min(4, count - i) }, (_, j) => i + j)
    nodes.push(
      ...(await Promise.all(
        batch.map((k) => startNm(paths(k).dataDir, paths(k).keysDir, '/ip4/127.0.0.1/tcp/0', bootstrap)),
      )),
    )
  }
  let transport: ClientTransport | undefined
  const clients = new Map<number, NodeClient>()
  const owners = new Map<number, KeyPair>()
  const net: NmNetwork = {
    dir,
    alice,
    nodes,
    async owner(i) {
      const known = owners.get(i)
      if (known) return known
      const privateKey = await loadPrivateKey(join(paths(i).keysDir, 'owner.privatekey'))
      const pair: KeyPair = {
        name: 'owner',
        privateKey,
        publicKey: privateKey.publicKey,
        publicKeyText: publicKeyText(privateKey.publicKey),
      }
      owners.set(i, pair)
      return pair
    },
    async ownerClient(i) {
      const known = clients.get(i)
      if (known) return known
      transport ??= await ClientTransport.create()
      // eight nodes in one loaded process: a connect or a call may take longer than the 10 s default
      const client = await NodeClient.connect(nodes[i]!.address, {
        identity: await net.owner(i),
        transport,
        timeoutMs: 60_000,
      })
      clients.set(i, client)
      return client
    },
    async restart(i) {
      clients.delete(i)
      const old = nodes[i]!
      const listen = old.address.slice(0, old.address.indexOf('/p2p/'))
      nodes[i] = await startNm(old.dataDir, old.keysDir, listen, i === 0 ? [] : bootstrap)
      return nodes[i]
    },
    async stop() {
      await transport?.close()
      await Promise.all(nodes.map((n) => n.nm.stop().catch(() => undefined)))
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return net
}

/** alice's browse: the nodes found through `bootstrap` and her vessels there. */
export async function browseAlice(net: NmNetwork, bootstrap: string, timeoutMs = 15_000): Promise<NodeVessels[]> {
  const found = await findNodes(net.alice.publicKeyText, { bootstrap: [bootstrap], timeoutMs })
  return vesselsForKey(found, net.alice.publicKeyText, { timeoutMs })
}
