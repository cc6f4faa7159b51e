// Run by nm-mdns.test.ts inside a fresh network namespace (unshare -n): multicast stays inside it.
// Two real node managers with mDNS on and no bootstrap find each other; a key added to B's v1 (ChangeUsers, signed
// by B's owner) is found by a browse client that also only uses mDNS, and B answers with the vessel.
// Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findNodes, vesselsForKey, type FoundNode } from '../../src/client/browse.js'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { generateKeyFiles, loadPrivateKey, publicKeyText, type KeyPair } from '../../src/keys/key-files.js'
import { routingTableSize } from '../../src/p2p/discovery-services.js'
import { NodeManager } from '../../src/node/node-manager.js'

const t0 = Date.now()
const result: Record<string, unknown> = {}
const done = (): never => {
  process.stdout.write(JSON.stringify(result) + '\n')
  process.exit(0)
}
// never hang the parent: answer what we have
setTimeout(() => {
  result.error ??= 'child timed out after 25 s'
  done()
}, 25_000)

const until = async (what: string, check: () => boolean, ms: number): Promise<number> => {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return Date.now() - t0
}

const dir = mkdtempSync(join(tmpdir(), 'flotilla-nm-mdns-'))
const listen = '/ip4/127.0.0.1/tcp/0'
const start = (name: string): Promise<NodeManager> =>
  NodeManager.start({
    dataDir: join(dir, name, 'data'),
    keysDir: join(dir, name, 'keys'),
    listen: [listen],
    init: { donatePercent: 10, vessels: 2, listen: [listen] },
    discovery: { mdns: true, bootstrap: [], ttlS: 3, refreshS: 1 },
    // they run no program: the engine warm-up would cost each start a second of a core
    engineWarmUp: false,
  })
const managers: NodeManager[] = []
let transport: ClientTransport | undefined
try {
  const alice = await generateKeyFiles(join(dir, 'keys'), 'alice')
  const key = alice.publicKeyText
  // one after the other: B's first mDNS query (at its start) is answered by A, and B dials A
  const a = await start('a')
  managers.push(a)
  const b = await start('b')
  managers.push(b)
  result.a = a.peerId
  result.b = b.peerId
  result.settings = [a.discoverySettings, b.discoverySettings]
  result.discoveredMs = await until(
    "A and B in each other's routing table",
    () => routingTableSize(a.node) > 0 && routingTableSize(b.node) > 0,
    12_000,
  )
  result.aConnectedTo = a.node.getConnections().map((c) => c.remotePeer.toString())
  result.bConnectedTo = b.node.getConnections().map((c) => c.remotePeer.toString())

  const ownerKey = await loadPrivateKey(join(dir, 'b', 'keys', 'owner.privatekey'))
  const owner: KeyPair = {
    name: 'owner',
    privateKey: ownerKey,
    publicKey: ownerKey.publicKey,
    publicKeyText: publicKeyText(ownerKey.publicKey),
  }
  transport = await ClientTransport.create()
  const client = await NodeClient.connect(b.addresses[0]!, { identity: owner, transport })
  await client.call('ChangeUsers', ['v1', [key]])
  result.announcedMs = await until(
    'B announces alice to a peer',
    () => b.advertising().some((k) => k.key === key && k.lastSuccess !== null),
    8_000,
  )
  result.advertised = b.advertising().find((k) => k.key === key)

  // a browse client with mDNS only (the node managers' service tag); a lookup may race the first announce
  let found: FoundNode[] = []
  for (let attempt = 1; attempt <= 3 && found.length === 0; attempt++) {
    found = await findNodes(key, { mdns: true, timeoutMs: 4_000 })
    result.attempts = attempt
  }
  result.found = found
  result.vessels = await vesselsForKey(found, key, { timeoutMs: 4_000, transport })
  result.browsedMs = Date.now() - t0
} catch (err) {
  result.error = err instanceof Error ? (err.stack ?? err.message) : String(err)
}
await transport?.close().catch(() => undefined)
await Promise.all(managers.map((m) => m.stop().catch(() => undefined)))
rmSync(dir, { recursive: true, force: true })
result.totalMs = Date.now() - t0
done()
