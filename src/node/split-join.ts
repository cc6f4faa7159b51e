// Split and join arithmetic on restrictions (Seattle's: leftover = current - offcut - proposed), and the store
// changes they make to the vessel table.
import {
  NUMERIC_RESOURCES,
  OFFCUT_LIMITS,
  PORT_RESOURCES,
  type NumericResource,
  type Restrictions,
} from '../runtime/nanny/resources.js'
import { NodeError } from '../protocol/errors.js'
import { portRanges } from '../protocol/port-ranges.js'
import { newVesselName } from './vessel-names.js'
import type { StoreChange, VesselRecord } from './vessel-store.js'

function emptyLimits(): Record<NumericResource, number> {
  return Object.fromEntries(NUMERIC_RESOURCES.map((r) => [r, 0])) as Record<NumericResource, number>
}

/** The management overhead of one vessel (Seattle's resources.offcut): what a split costs and a join gives back. */
export const OFFCUT: Readonly<Restrictions> = Object.freeze({
  limits: OFFCUT_LIMITS,
  ports: Object.freeze({ messport: [], connport: [] }),
  calls: [],
})

/** Float noise away (0.1 − 0.002 − 0.048 is 0.05, not 0.050000000000000003); whole numbers stay exact. */
function clean(x: number): number {
  if (Number.isInteger(x)) return x
  if (Math.abs(x) < 1e-9) return 0
  return Number(x.toPrecision(12))
}

/**
 * Splits `current` into [leftover, proposed] where leftover = current − offcut − proposed.
 * A negative leftover, or a proposed port the vessel does not have, is refused with E_QUOTA.
 */
export function splitRestrictions(
  current: Restrictions,
  proposed: Restrictions,
  offcut: Restrictions = OFFCUT,
): [leftover: Restrictions, proposed: Restrictions] {
  const tooSmall: string[] = []
  const tooLarge: string[] = []
  const limits = emptyLimits()
  for (const r of NUMERIC_RESOURCES) {
    const available = clean(current.limits[r] - offcut.limits[r])
    const left = clean(available - proposed.limits[r])
    if (available < 0) tooSmall.push(`${r} is ${current.limits[r]} but the offcut alone takes ${offcut.limits[r]}`)
    else if (left < 0)
      tooLarge.push(
        `${r} ${proposed.limits[r]} asked, ${available} available (${current.limits[r]} minus offcut ${offcut.limits[r]})`,
      )
    limits[r] = left
  }
  if (tooSmall.length > 0) {
    throw new NodeError(
      'E_QUOTA',
      `Existing resources are so small that the vessel cannot be split: ${tooSmall.join('; ')}`,
    )
  }
  if (tooLarge.length > 0) throw new NodeError('E_QUOTA', `Proposed vessel is too large: ${tooLarge.join('; ')}`)
  const foreign = PORT_RESOURCES.flatMap((kind) => {
    const missing = proposed.ports[kind].filter((port) => !current.ports[kind].includes(port))
    return missing.length === 0
      ? []
      : [`${kind} ${portRanges(missing)} (the vessel's ${kind}s are ${portRanges(current.ports[kind])})`]
  })
  if (foreign.length > 0)
    throw new NodeError('E_QUOTA', `Proposed vessel asks for ports the vessel does not have: ${foreign.join('; ')}`)
  const ports = {
    messport: current.ports.messport.filter((p) => !proposed.ports.messport.includes(p)),
    connport: current.ports.connport.filter((p) => !proposed.ports.connport.includes(p)),
  }
  return [{ limits, ports, calls: [...current.calls] }, copyRestrictions(proposed)]
}

/** Joins two vessels' restrictions: a + b + offcut (the overhead of the vessel that disappears), ports unioned. */
export function joinRestrictions(a: Restrictions, b: Restrictions, offcut: Restrictions = OFFCUT): Restrictions {
  const limits = emptyLimits()
  for (const r of NUMERIC_RESOURCES) limits[r] = clean(a.limits[r] + b.limits[r] + offcut.limits[r])
  const union = (x: number[], y: number[]): number[] => [...new Set([...x, ...y])].sort((p, q) => p - q)
  return {
    limits,
    ports: { messport: union(a.ports.messport, b.ports.messport), connport: union(a.ports.connport, b.ports.connport) },
    calls: [...a.calls, ...b.calls.filter((c) => !a.calls.includes(c))],
  }
}

function freshChild(parent: VesselRecord, name: string, restrictions: Restrictions, now: number): VesselRecord {
  return {
    name,
    ownerKey: parent.ownerKey,
    userKeys: [...parent.userKeys],
    ownerInfo: parent.ownerInfo,
    advertise: parent.advertise,
    status: 'Fresh',
    restrictions,
    createdAt: now,
  }
}

export interface SplitPlan {
  leftover: VesselRecord
  created: VesselRecord
  /** one batch: delete the parent, add both children */
  changes: StoreChange[]
}

/**
 * Plans SplitVessel: the parent must not be running; the children (leftover first, then the proposed one) are
 * Fresh, named max+1 and max+2, and inherit owner, users, owner information and advertise.
 */
export function planSplit(
  parent: VesselRecord,
  proposed: Restrictions,
  existingNames: Iterable<string>,
  now = Date.now(),
): SplitPlan {
  if (parent.status === 'Started') throw new NodeError('E_STATE', `${parent.name} is running; stop it before splitting`)
  const [left, made] = splitRestrictions(parent.restrictions, proposed)
  const names = [...existingNames, parent.name]
  const leftName = newVesselName(names)
  const madeName = newVesselName([...names, leftName])
  const leftover = freshChild(parent, leftName, left, now)
  const created = freshChild(parent, madeName, made, now)
  return {
    leftover,
    created,
    changes: [
      { type: 'delVessel', name: parent.name },
      { type: 'putVessel', vessel: leftover },
      { type: 'putVessel', vessel: created },
    ],
  }
}

export interface JoinPlan {
  joined: VesselRecord
  /** one batch: delete both, add the joined vessel */
  changes: StoreChange[]
}

/** Plans JoinVessels: two different, stopped vessels of the same owner; the result inherits v1's metadata. */
export function planJoin(
  v1: VesselRecord,
  v2: VesselRecord,
  existingNames: Iterable<string>,
  now = Date.now(),
): JoinPlan {
  if (v1.name === v2.name) throw new NodeError('E_USAGE', `cannot join ${v1.name} with itself`)
  if (v1.ownerKey !== v2.ownerKey)
    throw new NodeError('E_PERMISSION', `${v1.name} and ${v2.name} have different owners`)
  for (const v of [v1, v2]) {
    if (v.status === 'Started') throw new NodeError('E_STATE', `${v.name} is running; stop it before joining`)
  }
  const joined = freshChild(
    v1,
    newVesselName([...existingNames, v1.name, v2.name]),
    joinRestrictions(v1.restrictions, v2.restrictions),
    now,
  )
  return {
    joined,
    changes: [
      { type: 'delVessel', name: v1.name },
      { type: 'delVessel', name: v2.name },
      { type: 'putVessel', vessel: joined },
    ],
  }
}

export function copyRestrictions(r: Readonly<Restrictions>): Restrictions {
  return {
    limits: { ...r.limits },
    ports: { messport: [...r.ports.messport], connport: [...r.ports.connport] },
    calls: [...r.calls],
  }
}
