// User calls that look at a running program: ReadVesselLog, TailVesselLog (follow the output), GetVesselUsage.
import type { VesselUsage } from '../../protocol/results.js'
import { RENEWABLE_RESOURCES, ITEM_RESOURCES } from '../../runtime/nanny/resources.js'
import { formatRestrictions } from '../../runtime/nanny/restrictions.js'
import { TAIL_WAIT_MS } from '../vessel-log.js'
import type { HandlerTable } from './context.js'

export const logHandlers: Pick<HandlerTable, 'ReadVesselLog' | 'TailVesselLog' | 'GetVesselUsage'> = {
  ReadVesselLog: async (ctx, [vessel]) => {
    await ctx.state.vessel(vessel)
    return ctx.lifecycle.log(vessel).read()
  },
  /** Answers at once if there is new output; otherwise waits up to TAIL_WAIT_MS while the program runs. */
  TailVesselLog: async (ctx, [vessel, fromOffset]) => {
    await ctx.state.vessel(vessel)
    const log = ctx.lifecycle.log(vessel)
    if (fromOffset === log.offset && ctx.lifecycle.isRunning(vessel)) await log.waitForOutput(TAIL_WAIT_MS)
    return log.tail(fromOffset)
  },
  GetVesselUsage: async (ctx, [vessel]) => {
    const record = await ctx.state.vessel(vessel)
    const board = await ctx.lifecycle.usage(vessel)
    const result: VesselUsage = {
      name: vessel,
      status: record.status,
      restrictions: formatRestrictions(record.restrictions),
      usage: null,
      cpuSeconds: null,
      stops: null,
      uptimeSeconds: null,
    }
    if (board === null) return result
    const usage: Record<string, number> = {}
    for (const r of RENEWABLE_RESOURCES) usage[r] = board.renewable[r]
    usage.memory = board.memory
    usage.diskused = board.diskused
    for (const r of ITEM_RESOURCES) usage[r] = board.items[r]
    return {
      ...result,
      usage,
      cpuSeconds: board.cpuSeconds,
      stops: { ...board.stops },
      uptimeSeconds: record.startedAt === undefined ? null : (Date.now() - record.startedAt) / 1000,
    }
  },
}
