import { describe, expect, it } from 'vitest'
import { vesselTable } from '../../src/cli/node-format.js'
import { NodeError } from '../../src/protocol/errors.js'
import { portRanges } from '../../src/protocol/port-ranges.js'
import type { VesselSummary } from '../../src/protocol/results.js'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { OFFCUT, joinRestrictions, planJoin, planSplit, splitRestrictions } from '../../src/node/split-join.js'
import type { VesselRecord } from '../../src/node/vessel-store.js'

// Seattle's small test vessel (the nodemanager's nminit.py) with four ports.
const parent = parseRestrictions(
  `
resource cpu .1
resource memory 30000000
resource diskused 20000000
resource events 15
resource filewrite 100000
resource fileread 100000
resource filesopened 5
resource insockets 5
resource outsockets 5
resource netsend 10000
resource netrecv 10000
resource loopsend 1000000
resource looprecv 1000000
resource lograte 30000
resource random 100
resource messport 63100
resource messport 63101
resource connport 63100
resource connport 63101
call gethostbyname_ex allow
`,
  'parent',
)

const proposed = parseRestrictions(
  `
resource cpu .048
resource memory 10000000
resource diskused 5000000
resource events 5
resource filewrite 50000
resource fileread 50000
resource filesopened 2
resource messport 63101
resource connport 63101
`,
  'proposed',
)

const vessel = (name: string, over: Partial<VesselRecord> = {}): VesselRecord => ({
  name,
  ownerKey: 'ed25519-pub owner',
  userKeys: ['ed25519-pub u1'],
  ownerInfo: 'lab',
  advertise: true,
  status: 'Stopped',
  restrictions: parent,
  program: 'main.js',
  args: ['x'],
  createdAt: 1,
  ...over,
})

function refusal(fn: () => unknown): NodeError {
  try {
    fn()
  } catch (err) {
    if (err instanceof NodeError) return err
    throw err
  }
  throw new Error('expected a NodeError')
}

describe('split', () => {
  it('leftover = current − offcut − proposed, ports moved to the new vessel', () => {
    const [left, made] = splitRestrictions(parent, proposed)
    expect(left.limits).toEqual({
      cpu: 0.05,
      memory: 19_000_000,
      diskused: 14_900_000,
      events: 8,
      filewrite: 49_000,
      fileread: 49_000,
      filesopened: 2,
      insockets: 5,
      outsockets: 5,
      netsend: 10_000,
      netrecv: 10_000,
      loopsend: 1_000_000,
      looprecv: 1_000_000,
      lograte: 29_900,
      random: 100,
    })
    expect(left.ports).toEqual({ messport: [63100], connport: [63100] })
    expect(left.calls).toEqual(['call gethostbyname_ex allow'])
    expect(made).toEqual(proposed)
    expect(made).not.toBe(proposed)
  })

  it('split then join gives back the parent', () => {
    const [left, made] = splitRestrictions(parent, proposed)
    const joined = joinRestrictions(left, made)
    expect(joined.limits).toEqual(parent.limits)
    expect(joined.ports).toEqual(parent.ports)
  })

  it('refuses a proposal larger than the vessel, naming every resource', () => {
    const big = { ...proposed, limits: { ...proposed.limits, cpu: 0.099, memory: 29_000_001 } }
    const err = refusal(() => splitRestrictions(parent, big))
    expect(err.code).toBe('E_QUOTA')
    expect(err.message).toBe(
      'Proposed vessel is too large: cpu 0.099 asked, 0.098 available (0.1 minus offcut 0.002); ' +
        'memory 29000001 asked, 29000000 available (30000000 minus offcut 1000000)',
    )
    // exactly everything that is left is fine
    expect(() =>
      splitRestrictions(parent, { ...proposed, limits: { ...proposed.limits, cpu: 0.098, memory: 29_000_000 } }),
    ).not.toThrow()
  })

  it('refuses a port the vessel does not have', () => {
    const err = refusal(() =>
      splitRestrictions(parent, { ...proposed, ports: { messport: [63101], connport: [12345] } }),
    )
    expect(err.code).toBe('E_QUOTA')
    expect(err.message).toBe(
      `Proposed vessel asks for ports the vessel does not have: connport 12345 (the vessel's connports are ${portRanges(parent.ports.connport)})`,
    )
  })

  it('a table shows the ports a split left to a vessel, not its first to its last', () => {
    const vessel: VesselSummary = {
      name: 'v2',
      status: 'Fresh',
      ownerKey: 'k',
      userKeys: [],
      ownerInfo: '',
      advertise: true,
      program: null,
      args: [],
      startedAt: null,
      exit: null,
      ports: [63100, 63101, 63102, 63103, 63104, 63106, 63107, 63108, 63109],
    }
    expect(vesselTable([vessel]).split('\n')[1]).toMatch(/ 63100-63104,63106-63109$/)
    expect(portRanges([63105])).toBe('63105')
    expect(portRanges([])).toBe('none')
  })

  it('refuses a vessel too small to pay the offcut', () => {
    const tiny = { ...parent, limits: { ...parent.limits, cpu: 0.001 } }
    const err = refusal(() => splitRestrictions(tiny, proposed))
    expect(err.code).toBe('E_QUOTA')
    expect(err.message).toMatch(/^Existing resources are so small .*cpu is 0.001 but the offcut alone takes 0.002/)
  })

  it('plans one batch: delete the parent, add leftover (max+1) then new (max+2) as Fresh', () => {
    const plan = planSplit(vessel('v2'), proposed, ['v1', 'v2', 'v7'], 99)
    expect(plan.leftover.name).toBe('v8')
    expect(plan.created.name).toBe('v9')
    expect(
      plan.changes.map((c) =>
        c.type === 'delVessel' ? `-${c.name}` : c.type === 'putVessel' ? `+${c.vessel.name}` : c.type,
      ),
    ).toEqual(['-v2', '+v8', '+v9'])
    for (const child of [plan.leftover, plan.created]) {
      expect(child).toMatchObject({
        ownerKey: 'ed25519-pub owner',
        userKeys: ['ed25519-pub u1'],
        ownerInfo: 'lab',
        advertise: true,
        status: 'Fresh',
        createdAt: 99,
      })
      expect(child.program).toBeUndefined()
      expect(child.args).toBeUndefined()
    }
  })

  it('refuses to split a running vessel', () => {
    expect(refusal(() => planSplit(vessel('v1', { status: 'Started' }), proposed, ['v1'])).code).toBe('E_STATE')
  })
})

describe('join', () => {
  it('v1 + v2 + offcut, ports unioned and sorted', () => {
    const a = parseRestrictions(
      'resource cpu .05\nresource memory 100\nresource diskused 10\nresource connport 63105\nresource messport 63100\n',
    )
    const b = parseRestrictions(
      'resource cpu .048\nresource memory 50\nresource diskused 5\nresource connport 63101\nresource connport 63105\n',
    )
    const j = joinRestrictions(a, b)
    expect(j.limits.cpu).toBe(0.1)
    expect(j.limits.memory).toBe(150 + OFFCUT.limits.memory)
    expect(j.limits.events).toBe(2)
    expect(j.limits.lograte).toBe(100)
    expect(j.limits.netsend).toBe(0)
    expect(j.ports).toEqual({ messport: [63100], connport: [63101, 63105] })
  })

  it("plans one batch: delete both, add max+1 with v1's metadata", () => {
    const plan = planJoin(
      vessel('v1', { ownerInfo: 'first' }),
      vessel('v3', { ownerInfo: 'second', userKeys: [] }),
      ['v1', 'v3'],
      5,
    )
    expect(plan.joined).toMatchObject({
      name: 'v4',
      ownerInfo: 'first',
      userKeys: ['ed25519-pub u1'],
      status: 'Fresh',
      createdAt: 5,
    })
    expect(plan.changes.map((c) => c.type)).toEqual(['delVessel', 'delVessel', 'putVessel'])
  })

  it('refuses different owners, a running vessel, and joining a vessel with itself', () => {
    expect(refusal(() => planJoin(vessel('v1'), vessel('v2', { ownerKey: 'ed25519-pub other' }), [])).code).toBe(
      'E_PERMISSION',
    )
    expect(refusal(() => planJoin(vessel('v1'), vessel('v2', { status: 'Started' }), [])).code).toBe('E_STATE')
    expect(refusal(() => planJoin(vessel('v1'), vessel('v1'), [])).code).toBe('E_USAGE')
  })
})
