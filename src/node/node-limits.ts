// The limits a node manager puts on what peers can make it hold. Defaults suit a real node; tests shrink them.
import { DEFAULT_REPLAY_LIMITS, type ReplayLimits } from '../protocol/replay-guard.js'

export interface NodeLimits {
  replay: ReplayLimits
}

export type NodeLimitsOptions = { [K in keyof NodeLimits]?: Partial<NodeLimits[K]> }

export function nodeLimits(options: NodeLimitsOptions = {}): NodeLimits {
  return {
    replay: { ...DEFAULT_REPLAY_LIMITS, ...options.replay },
  }
}
