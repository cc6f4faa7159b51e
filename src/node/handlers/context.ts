// What every request handler receives, and the shape of the handler table (one handler per call).
import type { AdvertisedKey, CallResult, ReachabilityInfo, SandboxUserInfo } from '../../protocol/results.js'
import type { CallArgs, CallName } from '../../protocol/validate.js'
import type { Lifecycle } from '../lifecycle.js'
import type { NodeState } from '../node-state.js'
import type { VesselFiles } from '../vessel-files.js'

export interface HandlerContext {
  state: NodeState
  files: VesselFiles
  lifecycle: Lifecycle
  /** peer id of this node */
  peerId: string
  /** multiaddrs the node listens on, with /p2p/<peerId> */
  addresses(): string[]
  /** the keys announced in the DHT and their last results (a node with discovery) */
  advertising?(): AdvertisedKey[]
  /** who the sandbox host runs as */
  sandboxUser?: SandboxUserInfo
  /** how peers reach the node (public, through a relay, …) */
  reachability?(): ReachabilityInfo
}

export interface CallInfo {
  /** canonical public key text of the signer; null for an unsigned (public) request */
  signer: string | null
}

export type Handler<C extends CallName> = (
  ctx: HandlerContext,
  args: CallArgs<C>,
  info: CallInfo,
) => Promise<CallResult<C>>
export type HandlerTable = { [C in CallName]: Handler<C> }
