// getresources(): [limits, usage, stoptimes], each a fresh copy (mutating them grants nothing). Renewables are
// reported as of their last charge, as Repy does; the node's console shows their live level instead.
import { ITEM_RESOURCES, RENEWABLE_RESOURCES } from '../nanny/resources.js'
import { argCount } from './validate.js'
import type { GuestValue, OpTable, VesselEnv } from './types.js'

export function resourceOps(env: VesselEnv): OpTable<'checkpoint' | 'getresources'> {
  return {
    // Does nothing itself: every host call first passes the worker's checkpoint (memory quota, cpu governor).
    checkpoint: () => undefined,
    getresources(args) {
      argCount('getresources', args, 0)
      const { limits, ports } = env.nanny.restrictions
      const usage = env.nanny.usage()
      const usageOut: Record<string, GuestValue> = {}
      for (const r of RENEWABLE_RESOURCES)
        usageOut[r] = r === 'cpu' ? usage.renewable[r] : env.nanny.levelAtLastCharge(r)
      for (const r of ITEM_RESOURCES) usageOut[r] = usage.items[r]
      usageOut.cpu = usage.cpuSeconds
      // Every thread of a program runs on the vessel's one worker thread; cpu adds the host's work for it.
      usageOut.threadcpu = usage.cpuSeconds - (usage.hostCpuSeconds ?? 0)
      usageOut.memory = usage.memory
      usageOut.diskused = usage.diskused
      usageOut.messport = [...usage.ports.messport]
      usageOut.connport = [...usage.ports.connport]
      return [
        { ...limits, messport: [...ports.messport], connport: [...ports.connport] },
        usageOut,
        env.nanny.stopTimes().map(([at, stopped]) => [at, stopped]),
      ]
    },
  }
}
