// The limits a node manager puts on what peers can make it hold. Defaults suit a real node; tests shrink them.
import { DEFAULT_REPLAY_LIMITS, type ReplayLimits } from '../protocol/replay-guard.js'
import { DEFAULT_FRAME_LIMITS, type FrameLimits } from './frame-budget.js'
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from './protocol-service.js'

export interface NodeLimits {
  replay: ReplayLimits
  streams: StreamLimits
  frames: FrameLimits
}

export type NodeLimitsOptions = { [K in keyof NodeLimits]?: Partial<NodeLimits[K]> }

export function nodeLimits(options: NodeLimitsOptions = {}): NodeLimits {
  return {
    replay: { ...DEFAULT_REPLAY_LIMITS, ...options.replay },
    streams: { ...DEFAULT_STREAM_LIMITS, ...options.streams },
    frames: { ...DEFAULT_FRAME_LIMITS, ...options.frames },
  }
}
