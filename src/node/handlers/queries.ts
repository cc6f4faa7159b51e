// Public calls: GetVessels, GetVesselResources, GetOffcutResources.
import type { NodeSummary, VesselSummary } from '../../protocol/results.js'
import { formatRestrictions } from '../../runtime/nanny/restrictions.js'
import { summaryAdvertising, summaryArgs } from '../answer-bounds.js'
import { NODE_VERSION } from '../node-config.js'
import { OFFCUT } from '../split-join.js'
import type { VesselRecord } from '../vessel-store.js'
import type { HandlerContext, HandlerTable } from './context.js'

export function vesselSummary(v: VesselRecord): VesselSummary {
  const ports = [...new Set([...v.restrictions.ports.connport, ...v.restrictions.ports.messport])].sort((a, b) => a - b)
  return {
    name: v.name,
    status: v.status,
    ownerKey: v.ownerKey,
    userKeys: [...v.userKeys],
    ownerInfo: v.ownerInfo,
    advertise: v.advertise,
    program: v.program ?? null,
    args: summaryArgs(v.args ?? []),
    startedAt: v.startedAt ?? null,
    exit: v.exit ?? null,
    ports,
  }
}

export async function nodeSummary(
  ctx: Pick<HandlerContext, 'state' | 'peerId' | 'addresses' | 'advertising' | 'sandboxUser' | 'reachability'>,
): Promise<NodeSummary> {
  return {
    version: NODE_VERSION,
    peerId: ctx.peerId,
    addresses: ctx.addresses(),
    ip: ctx.state.config.ip,
    vessels: (await ctx.state.store.list()).map(vesselSummary),
    ...(ctx.advertising ? summaryAdvertising(ctx.advertising()) : {}),
    ...(ctx.sandboxUser ? { sandboxUser: { ...ctx.sandboxUser } } : {}),
    ...(ctx.reachability ? { reachability: ctx.reachability() } : {}),
  }
}

export const queryHandlers: Pick<HandlerTable, 'GetVessels' | 'GetVesselResources' | 'GetOffcutResources'> = {
  GetVessels: (ctx) => nodeSummary(ctx),
  GetVesselResources: async (ctx, [vessel]) => formatRestrictions((await ctx.state.vessel(vessel)).restrictions),
  GetOffcutResources: async () => formatRestrictions(OFFCUT),
}
