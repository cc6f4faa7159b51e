import { appendFileSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { VesselStore } from '../../src/node/vessel-store.js'
import { PoolStore } from '../../src/pool/pool-store.js'
import { NodeError } from '../../src/protocol/errors.js'
import { encodeRequest } from '../../src/protocol/messages.js'
import { MemoryReplayStore, ReplayGuard } from '../../src/protocol/replay-guard.js'
import { signRequest, verifyRequest } from '../../src/protocol/signing.js'

const NODE = '12D3KooWtestnode'
const NOW = 1_750_000_000_000
const alice = await generateKeyPair('Ed25519')
const bob = await generateKeyPair('Ed25519')
const req = (key = alice, lifetimeMs = 60_000) =>
  signRequest(key, { call: 'StopVessel', args: ['v1'], destination: NODE, timestamp: NOW, lifetimeMs })

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p
  } catch (err) {
    if (err instanceof NodeError) return err.code
    throw err
  }
  return undefined
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-replay-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('ReplayGuard', () => {
  it('refuses the same request twice with E_REPLAY', async () => {
    const guard = await ReplayGuard.open()
    const r = req()
    await guard.check(r, NOW)
    await expect(guard.check(r, NOW + 1)).rejects.toThrow(/already seen/)
    expect(await code(guard.check(r, NOW + 2))).toBe('E_REPLAY')
    // the same nonce under another key is another request
    expect(await code(guard.check({ ...r, key: 'other key' }, NOW))).toBeUndefined()
  })

  it('passes 100 parallel distinct requests from one key, end to end through verification', async () => {
    const guard = await ReplayGuard.open()
    const wire = Array.from({ length: 100 }, () => encodeRequest(req()))
    const results = await Promise.allSettled(
      wire.map(async (bytes) => {
        const verified = verifyRequest(bytes, { nodePeerId: NODE, now: NOW })
        await guard.check(verified, NOW)
      }),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(100)
    expect(guard.size).toBe(100)
  })

  it('lets exactly one of two concurrent copies through', async () => {
    const guard = await ReplayGuard.open()
    const r = req()
    const codes = await Promise.all(Array.from({ length: 5 }, () => code(guard.check(r, NOW))))
    expect(codes.filter((c) => c === undefined)).toHaveLength(1)
    expect(codes.filter((c) => c === 'E_REPLAY')).toHaveLength(4)
  })

  it('forgets entries after their expiry', async () => {
    const guard = await ReplayGuard.open(new MemoryReplayStore(), { pruneIntervalMs: 1000 }, NOW)
    await guard.check(req(alice, 5000), NOW)
    await guard.check(req(alice, 60_000), NOW)
    expect(guard.size).toBe(2)
    await guard.check(req(bob), NOW + 5000)
    expect(guard.size).toBe(2)
  })

  it('refuses with E_BUSY at the per-key and total caps instead of forgetting', async () => {
    const guard = await ReplayGuard.open(new MemoryReplayStore(), { perKey: 3, total: 5, ownerReserve: 0 })
    for (let i = 0; i < 3; i++) await guard.check(req(alice), NOW)
    const first = req(alice)
    await expect(guard.check(first, NOW)).rejects.toThrow(/this key has 3 unexpired requests/)
    for (let i = 0; i < 2; i++) await guard.check(req(bob), NOW)
    const third = await generateKeyPair('Ed25519')
    await expect(guard.check(req(third), NOW)).rejects.toThrow(/the node holds 5 unexpired requests/)
    expect(await code(guard.check(req(third), NOW))).toBe('E_BUSY')
    // once the entries expire there is room again
    expect(
      await code(
        guard.check(
          signRequest(alice, { call: 'StopVessel', args: ['v1'], destination: NODE, timestamp: NOW + 60_000 }),
          NOW + 60_000,
        ),
      ),
    ).toBeUndefined()
  })

  it("keeps the owners' reserve free of other keys, also after the store is reopened", async () => {
    const limits = { perKey: 10, total: 6, ownerReserve: 2 }
    let store = await VesselStore.open(join(dir, 'db'))
    let guard = await ReplayGuard.open(store.replay, limits, NOW)
    for (let i = 0; i < 4; i++) await guard.check(req(bob), NOW)
    await expect(guard.check(req(bob), NOW)).rejects.toThrow(/the node holds 4 unexpired requests of vessel users/)
    await guard.check({ ...req(alice), owner: true }, NOW)
    await store.close()

    store = await VesselStore.open(join(dir, 'db'))
    guard = await ReplayGuard.open(store.replay, limits, NOW)
    expect(guard.size).toBe(5)
    expect(await code(guard.check(req(bob), NOW))).toBe('E_BUSY')
    expect(await code(guard.check({ ...req(alice), owner: true }, NOW))).toBeUndefined()
    await expect(guard.check({ ...req(alice), owner: true }, NOW)).rejects.toThrow(
      /the node holds 6 unexpired requests/,
    )
    await store.close()
  })

  it('still refuses a replay after the store is closed and reopened, and prune deletes the expired files', async () => {
    const r = req(alice, 60_000)
    const short = req(bob, 1000)
    let store = await VesselStore.open(join(dir, 'db'))
    let guard = await ReplayGuard.open(store.replay, {}, NOW)
    await guard.check(r, NOW)
    await guard.check(short, NOW)
    await store.close()

    store = await VesselStore.open(join(dir, 'db'))
    guard = await ReplayGuard.open(store.replay, {}, NOW + 2000)
    expect(guard.size).toBe(1) // the short-lived entry had expired
    expect(await code(guard.check(r, NOW + 2000))).toBe('E_REPLAY')
    // files hold a minute of expiry times each: once the minute of the last expiry has passed, nothing is left
    await guard.prune(NOW + 60_000 + 60_000)
    await store.close()

    store = await VesselStore.open(join(dir, 'db'))
    expect(await store.replay.load(0)).toEqual([])
    await store.close()
    expect(readdirSync(join(dir, 'db', 'replay-journal'))).toEqual([])
  })

  it("still refuses a replay after a pool's store is closed and reopened", async () => {
    const r = req(alice, 60_000)
    let store = await PoolStore.open(join(dir, 'pool'))
    await (await ReplayGuard.open(store.replay, {}, NOW)).check(r, NOW)
    await store.close()
    store = await PoolStore.open(join(dir, 'pool'))
    expect(await code((await ReplayGuard.open(store.replay, {}, NOW)).check(r, NOW))).toBe('E_REPLAY')
    await store.close()
  })

  it('keeps the entries around a line cut short by a crash', async () => {
    const first = req(alice)
    const second = req(bob)
    let store = await VesselStore.open(join(dir, 'db'))
    let guard = await ReplayGuard.open(store.replay, {}, NOW)
    await guard.check(first, NOW)
    await store.close()
    const journal = join(dir, 'db', 'replay-journal')
    const [file] = readdirSync(journal)
    appendFileSync(join(journal, file!), '{"key":"cut sho') // a write the process did not finish

    store = await VesselStore.open(join(dir, 'db'))
    guard = await ReplayGuard.open(store.replay, {}, NOW)
    expect(guard.size).toBe(1)
    await guard.check(second, NOW)
    await store.close()

    store = await VesselStore.open(join(dir, 'db'))
    guard = await ReplayGuard.open(store.replay, {}, NOW)
    expect(guard.size).toBe(2)
    expect(await code(guard.check(first, NOW))).toBe('E_REPLAY')
    expect(await code(guard.check(second, NOW))).toBe('E_REPLAY')
    await store.close()
  })

  it("refuses the replay of a request an older node stored in LevelDB's replay sublevel (moved to the journal)", async () => {
    // the move keeps what has not expired by the wall clock
    const now = Date.now()
    const sign = (key: typeof alice, timestamp: number, lifetimeMs: number) =>
      signRequest(key, { call: 'StopVessel', args: ['v1'], destination: NODE, timestamp, lifetimeMs })
    const live = sign(alice, now, 600_000)
    const expired = sign(bob, now - 120_000, 1000)
    const sublevel = (db: Level<string, unknown>) => db.sublevel<string, unknown>('replay', { valueEncoding: 'json' })
    let db = new Level<string, unknown>(join(dir, 'db'), { valueEncoding: 'json' })
    for (const x of [live, expired]) {
      const nonce = Buffer.from(x.nonce).toString('hex')
      await sublevel(db).put(`${String(x.expiry).padStart(16, '0')}!${nonce}!${x.key}`, {
        key: x.key,
        nonce,
        expiry: x.expiry,
      })
    }
    await db.close()

    const store = await VesselStore.open(join(dir, 'db'))
    const guard = await ReplayGuard.open(store.replay, {}, now)
    expect(guard.size).toBe(1)
    expect(await code(guard.check(live, now))).toBe('E_REPLAY')
    await store.close()
    db = new Level<string, unknown>(join(dir, 'db'), { valueEncoding: 'json' })
    expect(await sublevel(db).keys().all()).toEqual([])
    await db.close()
  })

  it('stores every one of many concurrent requests (written together) before their checks resolve', async () => {
    let store = await VesselStore.open(join(dir, 'db'))
    const guard = await ReplayGuard.open(store.replay, {}, NOW)
    const requests = Array.from({ length: 100 }, (_, i) => req(i % 2 === 0 ? alice : bob))
    await Promise.all(requests.map((r) => guard.check(r, NOW)))
    await guard.check(req(), NOW) // and one more afterwards, in a batch of its own
    await store.close()

    store = await VesselStore.open(join(dir, 'db'))
    const reopened = await ReplayGuard.open(store.replay, {}, NOW)
    expect(reopened.size).toBe(101)
    for (const r of requests) expect(await code(reopened.check(r, NOW))).toBe('E_REPLAY')
    await store.close()
  })
})
