// The replay guard cannot be used to lock the owner out: strangers' requests (fresh keys, bad arguments or no
// permission) store no nonce, vessel users fill at most their share of the guard, and the owner's requests
// still pass, also after the node restarts (the guard's entries are in LevelDB).
import { rmSync } from 'node:fs'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { generateKeyFiles, type KeyPair } from '../../src/keys/key-files.js'
import { NodeManager } from '../../src/node/node-manager.js'
import type { NodeLimitsOptions } from '../../src/node/node-limits.js'
import type { ArgValue } from '../../src/protocol/messages.js'
import { signRequest } from '../../src/protocol/signing.js'
import { enc, outcome, startTestNode, type TestNode } from './nm-helpers.js'

const LIMITS: NodeLimitsOptions = { replay: { perKey: 10, total: 30, ownerReserve: 10 } }
const HOUR_LESS_A_MINUTE = 59 * 60_000

let node: TestNode
let nm: NodeManager
let transport: ClientTransport
let owner: NodeClient

beforeAll(async () => {
  transport = await ClientTransport.create()
  node = await startTestNode({ transport, limits: LIMITS })
  nm = node.nm
  owner = await node.client('owner')
  await owner.call('AddFileToVessel', ['v1', 'keep.txt', enc('keep')])
})
afterAll(async () => {
  await transport?.close()
  await nm?.stop()
  rmSync(node.dir, { recursive: true, force: true })
})

/** Sends a request signed by `key` for this node and answers its code ('ok' if it passed). */
function send(key: Ed25519PrivateKey, call: string, args: ArgValue[]): Promise<string> {
  const request = signRequest(key, { call, args, destination: nm.peerId, lifetimeMs: HOUR_LESS_A_MINUTE })
  return outcome(owner.send(request))
}

describe('replay guard flood', () => {
  it('strangers store no nonce: a flood of fresh keys leaves the owner served', async () => {
    const before = await owner.getVessels()
    const codes = new Map<string, number>()
    for (let k = 0; k < 11; k++) {
      const stranger = await generateKeyPair('Ed25519')
      for (let i = 0; i < 3; i++) {
        for (const code of [
          await send(stranger, 'StopVessel', ['v1', 'extra']),
          await send(stranger, 'StopVessel', ['v1']),
        ]) {
          codes.set(code, (codes.get(code) ?? 0) + 1)
        }
      }
    }
    // bad arguments first, then no permission; never E_BUSY, and nothing was stored
    expect(Object.fromEntries(codes)).toEqual({ E_USAGE: 33, E_PERMISSION: 33 })
    expect(await outcome(owner.call('ListFilesInVessel', ['v1']))).toBe('ok')
    expect(await owner.getVessels()).toEqual(before)
  })

  it('vessel users fill only their share; the owner keeps its reserve, also after a restart', async () => {
    const users: KeyPair[] = await Promise.all([1, 2, 3].map((i) => generateKeyFiles(node.keysDir, `flood${i}`)))
    await owner.call('ChangeUsers', ['v1', users.map((u) => u.publicKeyText)])
    const codes: string[] = []
    for (const user of users) {
      for (let i = 0; i < 12; i++) codes.push(await send(user.privateKey, 'ListFilesInVessel', ['v1']))
    }
    // 30 − 10 reserved = 20 entries for users; every user is also capped at 10 of its own
    expect(codes.filter((c) => c === 'ok')).toHaveLength(20)
    expect(codes.filter((c) => c === 'E_BUSY')).toHaveLength(16)
    const user = users[0]!
    await expect(
      owner.send(signRequest(user.privateKey, { call: 'ListFilesInVessel', args: ['v1'], destination: nm.peerId })),
    ).rejects.toThrow(/this key has 10 unexpired requests/)
    await expect(
      owner.send(
        signRequest(users[2]!.privateKey, { call: 'ListFilesInVessel', args: ['v1'], destination: nm.peerId }),
      ),
    ).rejects.toThrow(/the node holds 20 unexpired requests of vessel users/)
    expect(await outcome(owner.call('ListFilesInVessel', ['v1']))).toBe('ok')

    // restart on the same data folder: the entries come back from LevelDB, and so does the owner's room
    await nm.stop()
    nm = await NodeManager.start({
      dataDir: node.dataDir,
      keysDir: node.keysDir,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      limits: LIMITS,
      engineWarmUp: false,
    })
    owner = await NodeClient.connect(nm.addresses[0]!, { identity: node.keys.owner, transport })
    expect(await send(users[2]!.privateKey, 'ListFilesInVessel', ['v1'])).toBe('E_BUSY')
    expect(await send(await generateKeyPair('Ed25519'), 'StopVessel', ['v1'])).toBe('E_PERMISSION')
    expect(await owner.call('ListFilesInVessel', ['v1'])).toEqual(['keep.txt'])
    expect(await outcome(owner.call('GetVesselUsage', ['v1']))).not.toBe('E_BUSY')
  })
})
