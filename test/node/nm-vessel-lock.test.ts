// Requests on one vessel do not wait for another vessel's work: uploads to a vessel with thousands of files are
// serialized on that vessel's lock only. Its disk-use figure is kept up to date by uploads, overwrites and deletes,
// and counted again after its program (which writes files too) ends: the quota boundary stays exact.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NodeClient } from '../../src/client/node-client.js'
import { diskUsedIn, FILE_OVERHEAD } from '../../src/runtime/api/files.js'
import { enc, outcome, startTestNode, text, waitFor, type TestNode } from './nm-helpers.js'

let node: TestNode
let owner: NodeClient

beforeAll(async () => {
  node = await startTestNode()
  owner = await node.client('owner')
})
afterAll(async () => {
  await node?.stop()
})

const vesselDir = (vessel: string): string => join(node.dataDir, 'files', vessel)

describe('per-vessel lock', () => {
  it('answers the owner on another vessel while uploads to a vessel with 5,000 files wait for that vessel', async () => {
    mkdirSync(vesselDir('v1'), { recursive: true })
    for (let i = 0; i < 5000; i++) writeFileSync(join(vesselDir('v1'), `old${i}.txt`), 'x')
    let release!: () => void
    const held = node.nm.locks.vessel(
      'v1',
      () =>
        new Promise<void>((r) => {
          release = r
        }),
    )
    const done: string[] = []
    const uploads = Array.from({ length: 8 }, (_, i) =>
      owner.call('AddFileToVessel', ['v1', `new${i}.txt`, enc(`upload ${i}`)]).then(() => {
        done.push(`new${i}.txt`)
      }),
    )
    expect(await owner.call('ChangeOwnerInformation', ['v2', 'answered while v1 is busy'])).toBeNull()
    expect(done).toEqual([])
    expect((await owner.getVessels()).vessels.find((v) => v.name === 'v2')?.ownerInfo).toBe('answered while v1 is busy')
    release()
    await held
    await Promise.all(uploads)
    expect(done.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `new${i}.txt`).sort())
    expect(await owner.call('ListFilesInVessel', ['v1'])).toHaveLength(5008)
  }, 60_000)
})

describe('disk quota accounting', () => {
  const QUOTA = 60_000
  let vessel: string

  /** The quota's free space, probed through uploads: one byte more than it is refused, exactly it is taken. */
  async function expectExactFree(): Promise<void> {
    const free = QUOTA - diskUsedIn(vesselDir(vessel)) - FILE_OVERHEAD
    expect(free).toBeGreaterThanOrEqual(0)
    const before = await owner.call('ListFilesInVessel', [vessel])
    expect(await outcome(owner.call('AddFileToVessel', [vessel, 'probe.bin', new Uint8Array(free + 1)]))).toBe(
      'E_QUOTA',
    )
    expect(await owner.call('ListFilesInVessel', [vessel])).toEqual(before)
    expect(await outcome(owner.call('AddFileToVessel', [vessel, 'probe.bin', new Uint8Array(free)]))).toBe('ok')
    expect(await outcome(owner.call('DeleteFileInVessel', [vessel, 'probe.bin']))).toBe('ok')
  }

  beforeAll(async () => {
    ;[, vessel] = await owner.call('SplitVessel', [
      'v3',
      `resource cpu .05\nresource memory 20000000\nresource diskused ${QUOTA}\nresource events 4\nresource filewrite 50000\nresource fileread 50000\nresource filesopened 4\nresource lograte 10000\n`,
    ])
  })

  it('stays exact through uploads, overwrites, deletes and the files a program writes', async () => {
    await expectExactFree()
    await owner.call('AddFileToVessel', [vessel, 'a.txt', new Uint8Array(1000)])
    await owner.call('AddFileToVessel', [vessel, 'b.txt', new Uint8Array(7000)])
    await expectExactFree()
    await owner.call('AddFileToVessel', [vessel, 'a.txt', new Uint8Array(3000)]) // overwrite: the old size counts out
    await expectExactFree()
    await owner.call('AddFileToVessel', [vessel, 'b.txt', new Uint8Array(10)])
    await expectExactFree()
    await owner.call('DeleteFileInVessel', [vessel, 'b.txt'])
    await expectExactFree()
    expect(await outcome(owner.call('DeleteFileInVessel', [vessel, 'b.txt']))).toBe('E_NOT_FOUND')
    await expectExactFree()
    // the program writes 9,000 bytes the node manager did not see
    await owner.call('AddFileToVessel', [
      vessel,
      'w.js',
      enc("const f = openfile('guest.bin', true); f.writeat('g'.repeat(9000), 0); f.close(); log('ok\\n')\n"),
    ])
    await owner.call('StartVessel', [vessel, 'w.js', []])
    await waitFor(
      async () => (await owner.getVessels()).vessels.find((v) => v.name === vessel)?.status === 'Terminated',
      'w.js to end',
    )
    expect(text(await owner.call('ReadVesselLog', [vessel]))).toMatch(/ ---\nok\n$/)
    await expectExactFree()
    await owner.call('ResetVessel', [vessel])
    await expectExactFree()
  }, 60_000)
})
