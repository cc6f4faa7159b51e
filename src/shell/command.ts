// What a command is: its name, usage and help, how its arguments complete, and its handler, which gets a context.
import type { KeyPair } from '../keys/key-files.js'
import type { ShellState, VesselTarget } from './model.js'
import type { CommandResult, FanoutReport, NodeConnection } from './types.js'

/** What a word of a command completes to. */
export type CompletionKind = 'target' | 'group' | 'identity' | 'file' | 'command' | 'none'

export interface VesselTaskSpec<T> {
  vessels: VesselTarget[]
  /** signed calls need an identity with a private key */
  signed: boolean
  task: (conn: NodeConnection, vessel: VesselTarget) => Promise<T>
  /** JSON form of a result (default: as is) */
  toJson?: (value: T, vessel: VesselTarget) => unknown
  /** extra time for this command per target, ms (e.g. large uploads) */
  extraTimeoutMs?: number
  /** make <cmd>good / <cmd>fail groups on failure (default true) */
  groups?: boolean
}

export interface NodeTaskSpec<T> {
  vessels: VesselTarget[]
  signed: boolean
  /** one call per node; the vessels of the node share its outcome */
  task: (conn: NodeConnection, peerId: string, vessels: VesselTarget[]) => Promise<T>
  toJson?: (value: T, vessel: VesselTarget) => unknown
  groups?: boolean
}

export interface FanoutResult<T> {
  report: FanoutReport
  /** successful values by vessel long name */
  values: Map<string, T>
}

/** What a handler may use. */
export interface Ctx {
  readonly state: ShellState
  /** the command's name, used for the <cmd>good/<cmd>fail groups */
  readonly name: string
  /** a local path resolved against the shell's working folder */
  path(file: string): string
  onVessels<T>(spec: VesselTaskSpec<T>): Promise<FanoutResult<T>>
  onNodes<T>(spec: NodeTaskSpec<T>): Promise<FanoutResult<T>>
  /** fans out over node addresses (contact) */
  onAddresses<T>(
    addresses: string[],
    identity: KeyPair | undefined,
    task: (conn: NodeConnection, address: string) => Promise<T>,
  ): Promise<FanoutResult<T>>
  /** the nodes that announce a key in the DHT (browse), as multiaddrs; CommandError if this shell cannot look up */
  discover(keyText: string): Promise<string[]>
  /** runs another command (for `as id cmd`, `on target cmd`) */
  nested(words: string[], text: string): Promise<CommandResult>
  /** aborted when the user cancels the running command (Ctrl-C in the interactive shell) */
  readonly signal: AbortSignal
}

export type HandlerResult = Partial<Omit<CommandResult, 'command' | 'ok'>>
export type Handler = (ctx: Ctx, args: string[]) => Promise<HandlerResult> | HandlerResult

export interface CommandSpec {
  name: string
  usage: string
  summary: string
  /** longer help text (lines) */
  help?: string[]
  /** completion of each argument position (the last repeats) */
  complete?: CompletionKind[]
  run?: Handler
  /** subcommands (set …, show …) */
  sub?: Record<string, CommandSpec>
}
