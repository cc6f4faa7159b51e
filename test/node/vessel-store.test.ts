import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { planSplit } from '../../src/node/split-join.js'
import { VesselStore, newVesselName, type VesselRecord } from '../../src/node/vessel-store.js'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'

const restrictions = parseRestrictions(
  [
    'cpu .1',
    'memory 30000000',
    'diskused 20000000',
    'events 15',
    'filewrite 100000',
    'fileread 100000',
    'filesopened 5',
    'lograte 30000',
    'connport 63100',
    'messport 63100',
  ]
    .map((l) => `resource ${l}\n`)
    .join(''),
)
const vessel = (name: string, over: Partial<VesselRecord> = {}): VesselRecord => ({
  name,
  ownerKey: 'ed25519-pub owner',
  userKeys: [],
  ownerInfo: '',
  advertise: true,
  status: 'Fresh',
  restrictions,
  createdAt: 1,
  ...over,
})

let dir: string
let store: VesselStore | undefined
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-store-'))
})
afterEach(async () => {
  await store?.close()
  store = undefined
  await rm(dir, { recursive: true, force: true })
})
const reopen = async (): Promise<VesselStore> => {
  await store?.close()
  return (store = await VesselStore.open(join(dir, 'db')))
}

describe('VesselStore', () => {
  it('stores vessels and config, lists vessels by number, survives a reopen', async () => {
    const s = await reopen()
    expect(await s.list()).toEqual([])
    expect(await s.get('v1')).toBeUndefined()
    await s.apply(['v10', 'v2', 'v1'].map((n) => ({ type: 'putVessel' as const, vessel: vessel(n) })))
    await s.putConfig('nodeName', 'test')
    await s.putConfig('donation', { percent: 10, vessels: 1 })
    const started = vessel('v2', { status: 'Started', program: 'main.js', args: ['a'], startedAt: 5, exit: undefined })
    await s.apply([{ type: 'putVessel', vessel: started }])

    const again = await reopen()
    expect((await again.list()).map((v) => v.name)).toEqual(['v1', 'v2', 'v10'])
    expect(await again.get('v2')).toEqual(JSON.parse(JSON.stringify(started)))
    expect((await again.get('v1'))?.restrictions).toEqual(restrictions)
    expect(await again.getConfig('donation')).toEqual({ percent: 10, vessels: 1 })
    expect(await again.getConfig('missing')).toBeUndefined()
    await again.apply([
      { type: 'delVessel', name: 'v10' },
      { type: 'delConfig', key: 'nodeName' },
    ])
    expect((await again.list()).map((v) => v.name)).toEqual(['v1', 'v2'])
    expect(await again.getConfig('nodeName')).toBeUndefined()
  })

  it('applies a split as one batch', async () => {
    const s = await reopen()
    await s.apply([{ type: 'putVessel', vessel: vessel('v1') }])
    const plan = planSplit(
      (await s.get('v1'))!,
      parseRestrictions('resource cpu .01\nresource memory 1000\nresource diskused 1000\n'),
      ['v1'],
    )
    await s.apply(plan.changes)
    expect((await (await reopen()).list()).map((v) => v.name)).toEqual(['v2', 'v3'])
  })

  it('writes nothing of a batch that has a bad change', async () => {
    const s = await reopen()
    await s.apply([{ type: 'putVessel', vessel: vessel('v1') }])
    await expect(
      s.apply([
        { type: 'delVessel', name: 'v1' },
        { type: 'putVessel', vessel: vessel('v2') },
        { type: 'putVessel', vessel: vessel('bad name') },
      ]),
    ).rejects.toThrow(/invalid vessel name 'bad name'/)
    await expect(
      s.apply([{ type: 'putVessel', vessel: vessel('v3', { status: 'Running' as never }) }]),
    ).rejects.toThrow(/invalid status/)
    expect((await s.list()).map((v) => v.name)).toEqual(['v1'])
    expect(await s.get('v2')).toBeUndefined()
    expect((await (await reopen()).list()).map((v) => v.name)).toEqual(['v1'])
  })

  it('answers copies: changing a record read from the store changes nothing stored', async () => {
    const s = await reopen()
    const written = vessel('v1', { userKeys: ['ed25519-pub user'] })
    await s.apply([{ type: 'putVessel', vessel: written }])
    written.userKeys.push('ed25519-pub written')
    const read = (await s.get('v1'))!
    read.status = 'Started'
    read.userKeys.push('ed25519-pub read')
    ;(await s.list())[0]!.restrictions.limits.cpu = 1
    const expected = vessel('v1', { userKeys: ['ed25519-pub user'] })
    expect(await s.get('v1')).toEqual(expected)
    expect(await (await reopen()).get('v1')).toEqual(expected)
  })

  it('a node killed during or after a split batch has either the parent or both children', async () => {
    const outcomes = new Set<string>()
    for (const mode of ['during', 'after']) {
      let s = await reopen()
      await s.apply([
        ...(await s.list()).map((v) => ({ type: 'delVessel' as const, name: v.name })),
        { type: 'putVessel', vessel: vessel('v1') },
      ])
      await s.close()
      store = undefined
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(__dirname, 'fixtures', 'split-and-die.ts'), join(dir, 'db'), mode],
        { encoding: 'utf8', timeout: 20_000 },
      )
      expect(child.signal, child.stderr).toBe('SIGKILL')
      s = await reopen()
      const names = (await s.list()).map((v) => v.name).join(',')
      expect(['v1', 'v2,v3']).toContain(names)
      if (mode === 'after') expect(names).toBe('v2,v3')
      outcomes.add(`${mode}:${names}`)
    }
  })

  it('names new vessels max + 1', () => {
    expect(newVesselName([])).toBe('v1')
    expect(newVesselName(['v1', 'v9', 'v3'])).toBe('v10')
  })
})
