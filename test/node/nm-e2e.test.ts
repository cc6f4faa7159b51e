// End to end on a real node manager: upload, start, log, exit info; following a log and live usage; split and
// join arithmetic; a crashed sandbox host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { OFFCUT } from '../../src/node/split-join.js'
import type { NodeClient } from '../../src/client/node-client.js'
import {
  HELLO,
  SLEEPER,
  TICKER,
  enc,
  outcome,
  sandboxHostPids,
  startTestNode,
  text,
  waitFor,
  type TestNode,
} from './nm-helpers.js'

let node: TestNode
let owner: NodeClient

beforeAll(async () => {
  node = await startTestNode()
  owner = await node.client('owner')
})
afterAll(async () => {
  await node?.stop()
})

const status = async (vessel: string) => (await owner.getVessels()).vessels.find((v) => v.name === vessel)

describe('node manager end to end', () => {
  it('runs hello.js: upload, start, log shows Hello World, status Terminated with exit info', async () => {
    const summary = await owner.getVessels()
    expect(summary.peerId).toBe(node.nm.peerId)
    expect(summary.vessels.map((v) => [v.name, v.status])).toEqual([
      ['v1', 'Fresh'],
      ['v2', 'Fresh'],
      ['v3', 'Fresh'],
    ])
    expect(await owner.call('AddFileToVessel', ['v1', 'hello.js', enc(HELLO)])).toBeNull()
    expect(await owner.call('ListFilesInVessel', ['v1'])).toEqual(['hello.js'])
    expect(await owner.call('StartVessel', ['v1', 'hello.js', []])).toBe('Started')
    const done = await waitFor(async () => {
      const v = await status('v1')
      return v?.status !== 'Started' && v
    }, 'hello.js to end')
    expect(done.status).toBe('Terminated')
    expect(done.exit).toMatchObject({ code: 0, reason: 'finished' })
    expect(done.program).toBe('hello.js')
    // each run opens with a line saying when and what was started
    expect(text(await owner.call('ReadVesselLog', ['v1']))).toMatch(
      /^--- \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: hello\.js ---\nHello World\n$/,
    )
  })

  it('refuses to start a Started vessel (E_STATE) and a program that is not a file of the vessel', async () => {
    await owner.call('AddFileToVessel', ['v2', 'sleeper.js', enc(SLEEPER)])
    expect(await outcome(owner.call('StartVessel', ['v2', 'missing.js', []]))).toBe('E_NOT_FOUND')
    expect(await owner.call('StartVessel', ['v2', 'sleeper.js', []])).toBe('Started')
    expect(await outcome(owner.call('StartVessel', ['v2', 'sleeper.js', []]))).toBe('E_STATE')
    expect(await owner.call('StopVessel', ['v2'])).toBe('Stopped')
    expect((await status('v2'))?.exit?.code).toBe(44)
    expect(await outcome(owner.call('StopVessel', ['v2']))).toBe('E_STATE')
  })

  it('TailVesselLog follows a running program; GetVesselUsage shows live usage while it runs', async () => {
    await owner.call('AddFileToVessel', ['v3', 'ticker.js', enc(TICKER)])
    await owner.call('StartVessel', ['v3', 'ticker.js', ['6', '0.25']])
    let offset = 0
    let seen = ''
    // the board is written by the running program: wait for its first figures
    const usage = await waitFor(async () => {
      const u = await owner.call('GetVesselUsage', ['v3'])
      return (u.usage?.memory ?? 0) > 0 && u
    }, 'live usage')
    expect(usage.status).toBe('Started')
    expect(usage.usage!.events).toBeGreaterThanOrEqual(1)
    expect(usage.uptimeSeconds).toBeGreaterThanOrEqual(0)
    expect(usage.restrictions).toContain('resource cpu')
    const chunks: string[] = []
    while (!seen.includes('tick 5\n')) {
      const chunk = await owner.call('TailVesselLog', ['v3', offset])
      expect(chunk.offset).toBe(offset)
      if (chunk.data.length > 0) chunks.push(text(chunk.data))
      seen += text(chunk.data)
      offset = chunk.nextOffset
    }
    expect(seen).toMatch(/^--- .* UTC: ticker\.js 6 0\.25 ---\n/)
    expect(seen.slice(seen.indexOf('\n') + 1)).toBe([0, 1, 2, 3, 4, 5].map((i) => `tick ${i}\n`).join(''))
    expect(chunks.length).toBeGreaterThan(1) // it arrived while the program ran, not all at the end
    await waitFor(async () => (await status('v3'))?.status === 'Terminated', 'ticker to end')
    const after = await owner.call('GetVesselUsage', ['v3'])
    expect(after.usage).toBeNull()
  })

  it('ResetVessel stops the program, deletes files and log: Fresh', async () => {
    await owner.call('AddFileToVessel', ['v2', 'sleeper.js', enc(SLEEPER)])
    await owner.call('StartVessel', ['v2', 'sleeper.js', []])
    await owner.call('ResetVessel', ['v2'])
    const v = await status('v2')
    expect(v).toMatchObject({ status: 'Fresh', program: null, exit: null })
    expect(await owner.call('ListFilesInVessel', ['v2'])).toEqual([])
    expect(await owner.call('ReadVesselLog', ['v2'])).toHaveLength(0)
  })

  it('splits with the offcut arithmetic, refuses sizes that do not fit (E_QUOTA), and joins back', async () => {
    const parent = parseRestrictions(await owner.call('GetVesselResources', ['v2']))
    expect(parseRestrictions(await owner.call('GetOffcutResources', []))).toEqual(OFFCUT)
    const tooBig = `resource cpu ${parent.limits.cpu}\nresource memory 1000\nresource diskused 1000\n`
    const refused = owner.call('SplitVessel', ['v2', tooBig])
    await expect(refused).rejects.toMatchObject({ code: 'E_QUOTA' })
    await expect(refused).rejects.toThrow(/Proposed vessel is too large: cpu/)
    await expect(owner.call('SplitVessel', ['v2', 'resource cpu .01\n'])).rejects.toMatchObject({ code: 'E_USAGE' })
    await expect(
      owner.call('SplitVessel', [
        'v2',
        'resource cpu .01\nresource memory 1000\nresource diskused 1000\nresource connport 1\n',
      ]),
    ).rejects.toMatchObject({ code: 'E_QUOTA' })

    const [left, made] = await owner.call('SplitVessel', [
      'v2',
      'resource cpu .01\nresource memory 2000000\nresource diskused 3000000\nresource connport 63110\n',
    ])
    expect([left, made]).toEqual(['v4', 'v5'])
    const l = parseRestrictions(await owner.call('GetVesselResources', [left]))
    const m = parseRestrictions(await owner.call('GetVesselResources', [made]))
    expect(l.limits.cpu).toBeCloseTo(parent.limits.cpu - 0.002 - 0.01, 9)
    expect(l.limits.memory).toBe(parent.limits.memory - 1_000_000 - 2_000_000)
    expect(l.limits.diskused).toBe(parent.limits.diskused - 100_000 - 3_000_000)
    expect(l.limits.events).toBe(parent.limits.events - 2)
    expect(m.limits).toMatchObject({ cpu: 0.01, memory: 2_000_000, diskused: 3_000_000 })
    expect(m.ports.connport).toEqual([63110])
    expect(l.ports.connport).not.toContain(63110)
    const names = (await owner.getVessels()).vessels.map((v) => v.name)
    expect(names).toEqual(['v1', 'v3', 'v4', 'v5'])

    const joined = await owner.call('JoinVessels', [left, made])
    expect(joined).toBe('v6')
    expect(parseRestrictions(await owner.call('GetVesselResources', [joined]))).toEqual(parent)
    expect(await outcome(owner.call('GetVesselResources', [left]))).toBe('E_NO_VESSEL')
  })

  it('marks running vessels Terminated when the sandbox host dies, and starts a new host', async () => {
    await owner.call('AddFileToVessel', ['v1', 'sleeper.js', enc(SLEEPER)])
    await owner.call('AddFileToVessel', ['v1', 'hello.js', enc(HELLO)])
    await owner.call('StartVessel', ['v1', 'sleeper.js', []])
    await waitFor(async () => text(await owner.call('ReadVesselLog', ['v1'])).includes('sleeping'), 'sleeper output')
    const hosts = sandboxHostPids()
    expect(hosts).toHaveLength(1)
    for (const pid of hosts) process.kill(pid, 'SIGKILL')
    const v = await waitFor(async () => {
      const s = await status('v1')
      return s?.status !== 'Started' && s
    }, 'the crash to be recorded')
    expect(v.status).toBe('Terminated')
    expect(v.exit?.reason).toMatch(/sandbox host was killed by SIGKILL/)
    expect(await owner.call('StartVessel', ['v1', 'hello.js', []])).toBe('Started')
    await waitFor(async () => (await status('v1'))?.status === 'Terminated', 'hello.js on the new host')
  })
})
