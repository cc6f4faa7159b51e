// What each call answers on success (the `value` of an ok response). The contract between the node manager,
// the client library, the shell and the console.
import type { CallName } from './validate.js'

export type VesselStatus = 'Fresh' | 'Started' | 'Stopped' | 'Terminated' | 'ThreadErr' | 'Stale'

export interface ExitInfo {
  /** Repy's exit code (0 finished, 6 uncaught exception, 30 in a thread, 44 stopped, 98 memory, 200 exitall ...). */
  code: number
  reason: string
  /** ms since the epoch */
  at: number
}

export interface VesselSummary {
  name: string
  status: VesselStatus
  ownerKey: string
  userKeys: string[]
  ownerInfo: string
  advertise: boolean
  /** The program last started and its arguments, if any. */
  program: string | null
  args: string[]
  /** ms since the epoch when the program last started, null if never. */
  startedAt: number | null
  exit: ExitInfo | null
  /** connport/messport of the vessel (the same set in Seattle's layout). */
  ports: number[]
}

export interface NodeSummary {
  version: string
  peerId: string
  /** Multiaddrs the node listens on (with /p2p/<peerId>). */
  addresses: string[]
  /** The vessels' IP (getmyip inside them). */
  ip: string
  vessels: VesselSummary[]
  /** The keys the node announces in the DHT and how their last announce went (absent on nodes without discovery). */
  advertising?: AdvertisedKey[]
  /** How many more keys are announced than `advertising` lists (absent when it lists them all). */
  advertisingLeftOut?: number
  /** Who the sandbox host runs as (absent when read from a stopped node's store). */
  sandboxUser?: SandboxUserInfo
  /** How peers reach the node (absent when read from a stopped node's store, or from an older node). */
  reachability?: ReachabilityInfo
}

export interface ReachabilityInfo {
  /** public: an address AutoNAT confirmed; relay: through `relays` (the node is behind a NAT); nat: behind a NAT
   *  with no relay slot yet; direct: at its own addresses (no NAT seen, e.g. on a LAN) */
  how: 'public' | 'relay' | 'nat' | 'direct'
  /** peer ids of the relays holding a reservation for this node */
  relays: string[]
  /** addresses peers saw this node's connections come from that are not the machine's own (a NAT's), at most 8 */
  natAddresses: string[]
}

export interface SandboxUserInfo {
  /** for people: "nobody:nogroup (65534:65534)", "root (the node manager's user)", … */
  runsAs: string
  /** why it does not run as the unprivileged user though the node manager is root; null if all is well */
  warning: string | null
}

export interface AdvertisedKey {
  key: string
  /** ms since the epoch of the last announce attempt that finished, null before the first */
  lastAttempt: number | null
  /** ms since the epoch of the last announce that reached at least one DHT peer */
  lastSuccess: number | null
  /** DHT peers that stored the record in the last attempt */
  peers: number
  /** why the last attempt failed, null if it succeeded */
  error: string | null
}

export interface LogChunk {
  /** Bytes of the log from `offset`; the log is a ring, so old bytes may be gone: `offset` may be > the requested one. */
  data: Uint8Array
  offset: number
  /** Pass this as fromOffset to continue. */
  nextOffset: number
}

export interface VesselUsage {
  name: string
  status: VesselStatus
  /** The vessel's restrictions as a file text. */
  restrictions: string
  /** Live figures while the program runs (null otherwise): resource name -> current use (bucket level, bytes, count). */
  usage: Record<string, number> | null
  /** cpu seconds used and the share of one core over the last second, while running. */
  cpuSeconds: number | null
  stops: { count: number; seconds: number } | null
  uptimeSeconds: number | null
}

export interface CallResults {
  GetVessels: NodeSummary
  GetVesselResources: string
  GetOffcutResources: string
  StartVessel: VesselStatus
  StopVessel: VesselStatus
  ResetVessel: null
  AddFileToVessel: null
  RetrieveFileFromVessel: Uint8Array
  ListFilesInVessel: string[]
  DeleteFileInVessel: null
  ReadVesselLog: Uint8Array
  TailVesselLog: LogChunk
  GetVesselUsage: VesselUsage
  ChangeUsers: null
  ChangeOwner: null
  ChangeOwnerInformation: null
  ChangeAdvertise: null
  /** [leftover vessel name, new vessel name] */
  SplitVessel: [string, string]
  /** the new vessel's name */
  JoinVessels: string
}

export type CallResult<C extends CallName> = CallResults[C]
