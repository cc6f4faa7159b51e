// How a node is reached (GetVessels' `reachability`), for people: the node's log and `flotilla node status`.
import type { ReachabilityInfo } from './results.js'

/** "public", "via relay 12D3…", "behind NAT (seen as …), no relay slot yet" or "direct". */
export function reachabilityText(status: ReachabilityInfo): string {
  if (status.how === 'relay') return `via relay ${status.relays.join(', ')}`
  if (status.how === 'nat') return `behind NAT (seen as ${status.natAddresses.join(', ')}), no relay slot yet`
  if (status.how === 'public') return 'public'
  return 'direct'
}
