import { describe, expect, it } from 'vitest'
import type { NodeSummary, VesselSummary, VesselUsage } from '../../src/protocol/results.js'
import { cpuShare, gaugesOf, shapeSnapshot, type UsageResult } from '../../src/tui/snapshot.js'
import { nodeLine, snapshotJson, snapshotText } from '../../src/tui/snapshot-text.js'
import { columnsWidth, maxScroll, scrollStart, splitRows, tableColumns } from '../../src/tui/layout.js'

const OWNER = 'ed25519-pub ' + 'A'.repeat(43) + '='
const RESTRICTIONS = `resource cpu 0.25
resource memory 64000000
resource diskused 10000000
resource events 10
resource filesopened 5
resource fileread 100000
resource filewrite 100000
resource netsend 20000
resource netrecv 20000
resource insockets 5
resource outsockets 5
resource lograte 30000
`

function vessel(name: string, over: Partial<VesselSummary> = {}): VesselSummary {
  return {
    name,
    status: 'Fresh',
    ownerKey: OWNER,
    userKeys: [],
    ownerInfo: '',
    advertise: true,
    program: null,
    args: [],
    startedAt: null,
    exit: null,
    ports: [63100],
    ...over,
  }
}

function usage(name: string, over: Partial<VesselUsage> = {}): VesselUsage {
  return {
    name,
    status: 'Fresh',
    restrictions: RESTRICTIONS,
    usage: null,
    cpuSeconds: null,
    stops: null,
    uptimeSeconds: null,
    ...over,
  }
}

const live = (cpu: number, memory: number): Record<string, number> => ({
  cpu,
  memory,
  diskused: 2048,
  events: 2,
  filesopened: 1,
  insockets: 0,
  outsockets: 0,
  fileread: 0,
  filewrite: 512,
  netsend: 0,
  netrecv: 0,
  lograte: 40,
  random: 0,
  loopsend: 0,
  looprecv: 0,
})

function summary(vessels: VesselSummary[]): NodeSummary {
  return { version: '0.1.0', peerId: '12D3KooWQwerty1234567890abcdefghij', addresses: [], ip: '127.0.0.1', vessels }
}

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0)

function twoVessels(cpuSeconds: number, uptime: number): { summary: NodeSummary; usages: Map<string, UsageResult> } {
  return {
    summary: summary([
      vessel('v1', { status: 'Started', program: 'busy.js', args: ['7'], startedAt: T0, userKeys: [OWNER, OWNER] }),
      vessel('v2', {
        status: 'Terminated',
        program: 'hello.js',
        exit: { code: 6, reason: 'uncaught exception', at: T0 },
      }),
    ]),
    usages: new Map<string, UsageResult>([
      [
        'v1',
        usage('v1', {
          status: 'Started',
          usage: live(cpuSeconds, 3_000_000),
          cpuSeconds,
          uptimeSeconds: uptime,
          stops: { count: 12, seconds: 0.6 },
        }),
      ],
      ['v2', { error: 'E_PERMISSION: not a user of v2' }],
    ]),
  }
}

describe('snapshot shaping', () => {
  it('turns GetVessels and GetVesselUsage answers into rows with gauges', () => {
    const { summary: s, usages } = twoVessels(1, 4)
    const snap = shapeSnapshot(s, usages, { address: '/ip4/127.0.0.1/tcp/1224', takenAt: T0 + 4000 })
    expect(snap.peerId).toBe(s.peerId)
    const [v1, v2] = snap.vessels
    expect(v1).toMatchObject({
      name: 'v1',
      status: 'Started',
      owner: 'AAAAAAAA',
      users: 2,
      program: 'busy.js',
      uptimeSeconds: 4,
    })
    expect(v1!.cpuShare).toBeCloseTo(0.25) // 1 cpu-second over 4 s of uptime, on a first sample
    const byName = Object.fromEntries(v1!.gauges.map((g) => [g.resource, g]))
    expect(v1!.gauges).toHaveLength(15)
    expect(byName.cpu).toMatchObject({ kind: 'share', limit: 0.25 })
    expect(byName.memory).toMatchObject({ used: 3_000_000, limit: 64_000_000, kind: 'bytes' })
    expect(byName.filewrite).toMatchObject({ used: 512, limit: 100_000, kind: 'rate' })
    expect(byName.loopsend).toMatchObject({ used: 0, limit: 0 }) // missing in the file: Seattle's 0
    expect(v2).toMatchObject({
      usageError: 'E_PERMISSION: not a user of v2',
      gauges: [],
      cpuShare: null,
      uptimeSeconds: null,
    })
  })

  it('cpu share over the interval between two samples, on the node clock', () => {
    const a = twoVessels(1, 4)
    const first = shapeSnapshot(a.summary, a.usages, { address: 'x', takenAt: T0 + 4000 })
    const b = twoVessels(1.1, 4.5)
    const second = shapeSnapshot(b.summary, b.usages, { address: 'x', takenAt: T0 + 4700, previous: first })
    expect(second.vessels[0]!.cpuShare).toBeCloseTo(0.2) // 0.1 s over 0.5 s of uptime, not 0.7 s of wall time
    // the program restarted (cpu went down): back to the average since start
    const c = twoVessels(0.05, 0.5)
    const third = shapeSnapshot(c.summary, c.usages, { address: 'x', takenAt: T0 + 5200, previous: second })
    expect(third.vessels[0]!.cpuShare).toBeCloseTo(0.1)
  })

  it('cpuShare without uptimes uses the wall interval, and gives null with nothing to go on', () => {
    const base = shapeSnapshot(summary([vessel('v1')]), new Map(), { address: 'x', takenAt: T0 }).vessels[0]!
    expect(cpuShare(null, base, 0)).toBeNull()
    expect(cpuShare({ ...base, cpuSeconds: 1 }, { ...base, cpuSeconds: 1.5 }, 1)).toBeCloseTo(0.5)
    expect(cpuShare(null, { ...base, cpuSeconds: 1, uptimeSeconds: 0 }, 1)).toBeNull()
  })

  it('a vessel that is not running has quotas but no use; a bad restrictions text is reported, not thrown', () => {
    const s = summary([vessel('v1'), vessel('v2')])
    const usages = new Map<string, UsageResult>([
      ['v1', usage('v1')],
      ['v2', usage('v2', { restrictions: 'resource cpu lots' })],
    ])
    const [v1, v2] = shapeSnapshot(s, usages, { address: 'x', takenAt: T0 }).vessels
    expect(v1!.gauges.every((g) => g.used === null)).toBe(true)
    expect(v1!.gauges.find((g) => g.resource === 'memory')!.limit).toBe(64_000_000)
    expect(v2!.gauges).toEqual([])
    expect(v2!.usageError).toMatch(/invalid value 'lots'/)
    expect(() => gaugesOf(usage('v3', { restrictions: '' }), null)).toThrow(/missing mandatory/)
  })

  it('uptime falls back to startedAt when the node gives none', () => {
    const s = summary([vessel('v1', { status: 'Started', startedAt: T0 })])
    const snap = shapeSnapshot(s, new Map(), { address: 'x', takenAt: T0 + 65_000 })
    expect(snap.vessels[0]!.uptimeSeconds).toBe(65)
  })
})

describe('snapshot as text and JSON', () => {
  const { summary: s, usages } = twoVessels(1, 4)
  const snap = shapeSnapshot(s, usages, { address: '/ip4/127.0.0.1/tcp/1224', takenAt: T0 + 4000 })

  it.each([80, 100, 120, 200])('fits a %i-column terminal', (width) => {
    const text = snapshotText(snap, width)
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(width)
    expect(text).toMatch(/VESSEL +STATUS/)
    expect(text).toMatch(/^v1 +Started .*busy\.js 7/m)
    expect(text).toMatch(/^v2 +Terminated/m)
    expect(text).toContain('exit 6: uncaught exception')
    expect(text).toContain('usage unavailable: E_PERMISSION')
    expect(text).toMatch(/cpu +█+.* 25% of 25%/)
    expect(text).toMatch(/memory +.*2\.86 MB of 61 MB/)
    expect(text).toContain('cpu stops 12')
  })

  it('a message longer than a line is wrapped, not cut (a refused key, a long exit reason)', () => {
    const refusal =
      'E_PERMISSION: GetVesselUsage needs the owner key or a user key of v2; the request was signed by another key'
    const long = twoVessels(1, 4)
    long.usages.set('v2', { error: refusal })
    for (const width of [60, 80]) {
      const text = snapshotText(
        shapeSnapshot(long.summary, long.usages, { address: '/ip4/127.0.0.1/tcp/1224', takenAt: T0 }),
        width,
      )
      for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(width)
      expect(text.replace(/\n +/g, ' ')).toContain(`usage unavailable: ${refusal}`)
    }
  })

  it('the one-line header of the live console puts the counts before the long address', () => {
    expect(nodeLine(snap).slice(0, 80)).toMatch(/^node \S+ \(0\.1\.0\) {2}2 vessels, 1 running {2}/)
  })

  it('JSON round-trips the same data', () => {
    expect(JSON.parse(snapshotJson(snap))).toEqual(JSON.parse(JSON.stringify(snap)))
  })

  it('table columns never exceed the width and drop extras when narrow', () => {
    for (const width of [60, 80, 100, 120, 160]) expect(columnsWidth(tableColumns(width))).toBeLessThan(width)
    expect(tableColumns(160).map((c) => c.key)).toContain('cpubar')
    expect(tableColumns(80).map((c) => c.key)).not.toContain('cpubar')
  })
})

describe('screen layout', () => {
  it('splits the rows between the table and the usage panel', () => {
    // 120x35: 31 rows below the header, status and help lines; 2 gauge columns → 8 gauge rows
    expect(splitRows(31, 4, 119)).toEqual({ tableRows: 4, usageRows: 25 })
    const many = splitRows(31, 40, 119)
    expect(many.tableRows + 2 + many.usageRows).toBe(31)
    expect(many.usageRows).toBeGreaterThanOrEqual(6)
    expect(splitRows(20, 4, 79).tableRows).toBe(4) // 80x24 still shows 4 vessels
    expect(splitRows(6, 10, 39).tableRows).toBe(3) // a tiny terminal keeps 3 table rows
  })

  it('scrolls the table to keep the selection in view, and bounds the log scroll', () => {
    expect(scrollStart(5, 4, 10)).toBe(0)
    expect(scrollStart(30, 0, 10)).toBe(0)
    expect(scrollStart(30, 15, 10)).toBe(10)
    expect(scrollStart(30, 29, 10)).toBe(20)
    expect(maxScroll(100, 30)).toBe(70)
    expect(maxScroll(10, 30)).toBe(0)
  })
})
