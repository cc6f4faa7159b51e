// One plain picture of a node: GetVessels plus GetVesselUsage of every vessel, shaped for display (the console's
// table and bars, `top --once` and `top --json`). Fetching is one function; everything else here is pure.
import type { CallResult, ExitInfo, NodeSummary, VesselStatus, VesselUsage } from '../protocol/results.js'
import type { CallArgs, CallName } from '../protocol/validate.js'
import { parseRestrictions } from '../runtime/nanny/restrictions.js'
import { NUMERIC_RESOURCES, RESOURCES, type NumericResource, type ResourceUnit } from '../runtime/nanny/resources.js'
import { shortKey } from './format.js'

/** How a gauge's numbers read: a share of a core, bytes held, bytes per second, or a count of items. */
export type GaugeKind = 'share' | 'bytes' | 'rate' | 'count'

export interface Gauge {
  resource: NumericResource
  label: string
  kind: GaugeKind
  /** Current use; null while the vessel's program is not running. */
  used: number | null
  /** The vessel's quota of this resource (restrictions file). */
  limit: number
}

export interface VesselView {
  name: string
  status: VesselStatus
  ownerKey: string
  /** The owner key, shortened for display. */
  owner: string
  users: number
  program: string | null
  args: string[]
  uptimeSeconds: number | null
  exit: ExitInfo | null
  cpuSeconds: number | null
  /** Share of one core over the last interval (or since start, on a first sample); null when not running. */
  cpuShare: number | null
  stops: { count: number; seconds: number } | null
  gauges: Gauge[]
  /** Why usage could not be had for this vessel (permission, a bad restrictions text...), else null. */
  usageError: string | null
}

export interface NodeSnapshot {
  /** The address the console talks to. */
  address: string
  peerId: string
  version: string
  ip: string
  /** ms since the epoch when the snapshot was taken */
  takenAt: number
  vessels: VesselView[]
}

const KIND: Record<ResourceUnit, GaugeKind> = { cpu: 'share', bytes: 'bytes', items: 'count', 'bytes/s': 'rate' }
const KIND_ORDER: readonly GaugeKind[] = ['share', 'bytes', 'count', 'rate']

/** The gauges shown, in order: the 15 numeric resources, cpu first, then what is held, then the rates. */
export const GAUGES: ReadonlyArray<{ resource: NumericResource; label: string; kind: GaugeKind }> =
  NUMERIC_RESOURCES.map((resource) => ({
    resource,
    label: RESOURCES[resource].label,
    kind: KIND[RESOURCES[resource].unit],
  })).sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))

/** What the console needs of a node client (NodeClient has this shape). */
export interface NodeCaller {
  call<C extends CallName>(call: C, args: CallArgs<C>): Promise<CallResult<C>>
}

export type UsageResult = VesselUsage | { error: string }

/** Asks the node for its vessels and each vessel's usage (at most `concurrency` requests at a time). */
export async function fetchSnapshot(
  client: NodeCaller,
  address: string,
  previous: NodeSnapshot | null = null,
  concurrency = 8,
): Promise<NodeSnapshot> {
  const summary = await client.call('GetVessels', [])
  const usages = new Map<string, UsageResult>()
  const queue = summary.vessels.map((v) => v.name)
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      try {
        usages.set(name, await client.call('GetVesselUsage', [name]))
      } catch (err) {
        usages.set(name, { error: err instanceof Error ? err.message : String(err) })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker))
  return shapeSnapshot(summary, usages, { address, takenAt: Date.now(), previous })
}

/** Builds the snapshot from the node's answers. `previous` (the last snapshot) gives cpu shares over the interval. */
export function shapeSnapshot(
  summary: NodeSummary,
  usages: ReadonlyMap<string, UsageResult>,
  at: { address: string; takenAt: number; previous?: NodeSnapshot | null },
): NodeSnapshot {
  const before = new Map((at.previous?.vessels ?? []).map((v) => [v.name, v]))
  const elapsed = at.previous ? (at.takenAt - at.previous.takenAt) / 1000 : 0
  const vessels = summary.vessels.map((v): VesselView => {
    const result = usages.get(v.name)
    const usage = result !== undefined && !('error' in result) ? result : null
    const running = usage?.usage != null
    let uptimeSeconds = usage?.uptimeSeconds ?? null
    if (uptimeSeconds === null && v.status === 'Started' && v.startedAt !== null) {
      uptimeSeconds = Math.max(0, (at.takenAt - v.startedAt) / 1000)
    }
    const cpuSeconds = running ? (usage?.cpuSeconds ?? usage?.usage?.cpu ?? null) : null
    const view: VesselView = {
      name: v.name,
      status: v.status,
      ownerKey: v.ownerKey,
      owner: shortKey(v.ownerKey),
      users: v.userKeys.length,
      program: v.program,
      args: v.args,
      uptimeSeconds,
      exit: v.exit,
      cpuSeconds,
      cpuShare: null,
      stops: usage?.stops ?? null,
      gauges: [],
      usageError: result !== undefined && 'error' in result ? result.error : null,
    }
    view.cpuShare = running ? cpuShare(before.get(v.name) ?? null, view, elapsed) : null
    if (usage) {
      try {
        view.gauges = gaugesOf(usage, view.cpuShare)
      } catch (err) {
        view.usageError = err instanceof Error ? err.message : String(err)
      }
    }
    return view
  })
  return {
    address: at.address,
    peerId: summary.peerId,
    version: summary.version,
    ip: summary.ip,
    takenAt: at.takenAt,
    vessels,
  }
}

/**
 * The vessel's share of one core: cpu seconds used between two samples over the time between them (the node's
 * uptime clock when both samples have it, else `elapsedSeconds` of wall time); on a first sample, or after a
 * restart of the program, the average since the program started.
 */
export function cpuShare(prev: VesselView | null, cur: VesselView, elapsedSeconds: number): number | null {
  if (cur.cpuSeconds === null) return null
  if (prev?.cpuSeconds != null && cur.cpuSeconds >= prev.cpuSeconds) {
    const dUp =
      cur.uptimeSeconds !== null && prev.uptimeSeconds !== null ? cur.uptimeSeconds - prev.uptimeSeconds : null
    const dt = dUp !== null && dUp > 0.05 ? dUp : elapsedSeconds
    if (dt > 0.05 && (dUp === null || dUp >= 0)) return (cur.cpuSeconds - prev.cpuSeconds) / dt
  }
  if (cur.uptimeSeconds !== null && cur.uptimeSeconds > 0.05) return cur.cpuSeconds / cur.uptimeSeconds
  return null
}

const restrictionsCache = new Map<string, Record<NumericResource, number>>()

function limitsOf(text: string): Record<NumericResource, number> {
  let limits = restrictionsCache.get(text)
  if (!limits) {
    limits = parseRestrictions(text, 'vessel restrictions').limits
    if (restrictionsCache.size > 256) restrictionsCache.clear()
    restrictionsCache.set(text, limits)
  }
  return limits
}

/** Each resource's use against its quota. Throws RestrictionsError if the restrictions text is bad. */
export function gaugesOf(usage: VesselUsage, share: number | null): Gauge[] {
  const limits = limitsOf(usage.restrictions)
  const live = usage.usage
  return GAUGES.map(({ resource, label, kind }) => ({
    resource,
    label,
    kind,
    used: live === null ? null : resource === 'cpu' ? share : (live[resource] ?? 0),
    limit: limits[resource],
  }))
}
