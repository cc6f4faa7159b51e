// No vessel field a user can set or a program can cause grows GetVessels (public), node status or node top past the
// message limit: a 20 MB exit reason left in the store by an older node, a guest that ends with a 20,000,000-character
// exception name, and every field of the largest possible vessel table at its bound.
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { MAX_REASON_BYTES, MAX_SUMMARY_ARGS_BYTES } from '../../src/node/answer-bounds.js'
import { DONATED_EVENTS, PORTS_PER_VESSEL } from '../../src/node/donation.js'
import { nodeSummary } from '../../src/node/handlers/queries.js'
import { initNode, loadConfig, MAX_LOG_BYTES } from '../../src/node/node-config.js'
import { NodeManager } from '../../src/node/node-manager.js'
import { nodePaths } from '../../src/node/node-paths.js'
import { NodeState } from '../../src/node/node-state.js'
import { OFFCUT } from '../../src/node/split-join.js'
import { VesselStore, type JsonValue, type VesselRecord } from '../../src/node/vessel-store.js'
import { PUBLIC_KEY_TEXT_LENGTH } from '../../src/keys/key-files.js'
import { decodeResponse, encodeResponse, MAX_MESSAGE_BYTES } from '../../src/protocol/messages.js'
import type { AdvertisedKey } from '../../src/protocol/results.js'
import {
  MAX_FILENAME_LENGTH,
  MAX_OWNER_INFO,
  MAX_PROGRAM_ARGS,
  MAX_PROGRAM_ARGS_CHARS,
  MAX_USER_KEYS,
} from '../../src/protocol/validate.js'
import { enc, makeKeys, requireBuild, startTestNode, tempDir, waitFor, type TestNode } from './nm-helpers.js'

const HUGE = 20_000_000
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8')
const fakeKey = (): string => `ed25519-pub ${randomBytes(32).toString('base64')}`

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn()
  cleanup = []
})

/** A node manager on a store the test prepared (no init), and a client transport; both stopped after the test. */
async function startStored(dataDir: string, keysDir: string): Promise<{ nm: NodeManager; transport: ClientTransport }> {
  const nm = await NodeManager.start({
    dataDir,
    keysDir,
    init: false,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    engineWarmUp: false,
  })
  const transport = await ClientTransport.create()
  cleanup.push(async () => {
    await transport.close()
    await nm.stop()
  })
  return { nm, transport }
}

describe('answers stay within the message limit', () => {
  it('a store left by an older node with a 20 MB exit reason answers GetVessels after start, the reason cut to 4 KiB', async () => {
    requireBuild()
    const dir = tempDir()
    const keysDir = join(dir, 'keys')
    const paths = nodePaths(join(dir, 'data'))
    await makeKeys(keysDir)
    const store = await VesselStore.open(paths.state)
    await initNode(store, paths, keysDir, { vessels: 2, listen: ['/ip4/127.0.0.1/tcp/0'] })
    const v1 = (await store.list())[0]!
    const reason = `Traceback: ${'E'.repeat(HUGE)}`
    await store.apply([
      {
        type: 'putVessel',
        vessel: { ...v1, status: 'ThreadErr', program: 'p.js', args: [], exit: { code: 6, reason, at: 1 } },
      },
    ])
    await store.close()

    const { nm, transport } = await startStored(paths.data, keysDir)
    const anyone = await NodeClient.connect(nm.addresses[0]!, { transport })
    const { vessels } = await anyone.getVessels()
    const exit = vessels.find((v) => v.name === 'v1')!.exit!
    expect(exit.code).toBe(6)
    expect(bytes(exit.reason)).toBeLessThanOrEqual(MAX_REASON_BYTES)
    expect(exit.reason).toMatch(/^Traceback: EEEE/)
    expect(exit.reason).toMatch(new RegExp(`cut: ${bytes(reason)} bytes in all\\]$`))
    expect(vessels.find((v) => v.name === 'v2')!.exit).toBeNull()
  }, 60_000)

  it('a log left by a node with a larger log size answers ReadVesselLog within the message limit; init refuses such sizes', async () => {
    requireBuild()
    const dir = tempDir()
    const keysDir = join(dir, 'keys')
    const paths = nodePaths(join(dir, 'data'))
    const keys = await makeKeys(keysDir)
    const store = await VesselStore.open(paths.state)
    await expect(initNode(store, paths, keysDir, { vessels: 1, logBytes: MAX_LOG_BYTES + 1 })).rejects.toMatchObject({
      code: 'E_USAGE',
    })
    const config = await initNode(store, paths, keysDir, {
      vessels: 1,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      ownerKeyName: 'owner',
    })
    await store.putConfig('node', JSON.parse(JSON.stringify({ ...config, logBytes: 64 * 1024 * 1024 })) as JsonValue)
    await store.close()
    mkdirSync(paths.logs, { recursive: true })
    writeFileSync(join(paths.logs, 'v1.old'), 'o'.repeat(HUGE))
    writeFileSync(join(paths.logs, 'v1.new'), 'the end\n')

    const { nm, transport } = await startStored(paths.data, keysDir)
    const owner = await NodeClient.connect(nm.addresses[0]!, { transport, identity: keys.owner })
    const log = Buffer.from(await owner.call('ReadVesselLog', ['v1'])).toString()
    expect(log.length).toBe(MAX_LOG_BYTES)
    expect(log.endsWith('oothe end\n')).toBe(true)
    expect((await owner.call('TailVesselLog', ['v1', 0])).data.length).toBe(MAX_LOG_BYTES)
  }, 60_000)

  it('a guest that ends with a 20,000,000-character exception name leaves a node that answers GetVessels', async () => {
    const node: TestNode = await startTestNode()
    cleanup.push(() => node.stop())
    const owner = await node.client('owner')
    const anyone = await node.client('none')
    await owner.call('AddFileToVessel', [
      'v1',
      'huge.js',
      enc(`const e = new Error('boom'); e.name = 'N'.repeat(${HUGE}); throw e\n`),
    ])
    await owner.call('StartVessel', ['v1', 'huge.js', []])
    const ended = await waitFor(
      async () => {
        const v = (await anyone.getVessels()).vessels.find((x) => x.name === 'v1')
        return v?.status !== 'Started' && v
      },
      'huge.js to end',
      60_000,
    )
    expect(ended.exit?.code).toBe(6)
    expect(bytes(ended.exit!.reason)).toBeLessThanOrEqual(MAX_REASON_BYTES)
    expect(ended.exit!.reason).toContain('NNNN')
    expect((await owner.getVessels()).vessels).toHaveLength(3)
  }, 90_000)

  it('the largest vessel table with every field at its bound, and every key announced, fits in one answer', async () => {
    const dir = tempDir()
    cleanup.push(async () => {
      const { rmSync } = await import('node:fs')
      rmSync(dir, { recursive: true, force: true })
    })
    const paths = nodePaths(join(dir, 'data'))
    const store = await VesselStore.open(paths.state)
    cleanup.push(() => store.close())
    await initNode(store, paths, join(dir, 'keys'), { vessels: 1, listen: ['/ip4/127.0.0.1/tcp/0'] })
    const config = (await loadConfig(store))!
    // every vessel takes the offcut's events from the node's fixed donation of events: no more vessels than this
    const maxVessels = DONATED_EVENTS / OFFCUT.limits.events
    const wide = '€' // three bytes of UTF-8 in one UTF-16 unit: the most bytes per counted character
    const template = (await store.list())[0]!
    const arg = wide.repeat(Math.floor(MAX_PROGRAM_ARGS_CHARS / MAX_PROGRAM_ARGS))
    const vessels: VesselRecord[] = Array.from({ length: maxVessels }, (_, i) => ({
      ...template,
      name: `v${i + 1}`,
      ownerKey: fakeKey(),
      userKeys: Array.from({ length: MAX_USER_KEYS }, fakeKey),
      ownerInfo: wide.repeat(MAX_OWNER_INFO),
      advertise: true,
      status: 'Terminated',
      program: 'p'.repeat(MAX_FILENAME_LENGTH),
      args: Array.from({ length: MAX_PROGRAM_ARGS }, () => arg),
      startedAt: Date.now(),
      exit: { code: 6, reason: wide.repeat(MAX_REASON_BYTES * 2), at: Date.now() },
      restrictions: {
        ...template.restrictions,
        ports: { connport: Array.from({ length: PORTS_PER_VESSEL }, (_, p) => 63100 + p), messport: [] },
      },
    }))
    await store.apply(vessels.map((vessel) => ({ type: 'putVessel' as const, vessel })))
    const announced: AdvertisedKey[] = vessels
      .flatMap((v) => [v.ownerKey, ...v.userKeys])
      .map((key) => ({
        key,
        lastAttempt: Date.now(),
        lastSuccess: Date.now(),
        peers: 20,
        error: `announce failed: ${'x'.repeat(10_000)}`,
      }))
    expect(announced[0]!.key).toHaveLength(PUBLIC_KEY_TEXT_LENGTH)
    const summary = await nodeSummary({
      state: new NodeState(store, paths, config),
      peerId: config.peerId,
      addresses: () => ['/ip4/127.0.0.1/tcp/1224/p2p/' + config.peerId],
      advertising: () => announced,
      sandboxUser: { runsAs: 'nobody:nogroup (65534:65534)', warning: null },
    })
    const encoded = encodeResponse({ ok: true, value: summary })
    expect(decodeResponse(encoded)).toMatchObject({ ok: true })
    expect(encoded.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES)
    expect(summary.vessels).toHaveLength(maxVessels)
    expect(summary.vessels.every((v) => bytes(v.args.join('')) <= MAX_SUMMARY_ARGS_BYTES)).toBe(true)
    expect(summary.vessels[0]!.args.at(-1)).toMatch(/more arguments not shown/)
    expect(summary.advertisingLeftOut).toBe(announced.length - summary.advertising!.length)
  }, 60_000)
})
