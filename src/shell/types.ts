// The shell engine's vocabulary: how it reaches nodes, what it knows about them, and what a command answers.
import type { KeyPair } from '../keys/key-files.js'
import type { ErrorCode } from '../protocol/errors.js'
import type { CallResult } from '../protocol/results.js'
import type { CallArgs, CallName } from '../protocol/validate.js'

/** One open connection to a node manager, signing with the identity it was opened with. */
export interface NodeConnection {
  call<C extends CallName>(call: C, args: CallArgs<C>, options?: { timeoutMs?: number }): Promise<CallResult<C>>
}

/** Opens (and pools) connections; one per node and identity. */
export interface Connector {
  connect(address: string, identity: KeyPair | undefined, timeoutMs: number): Promise<NodeConnection>
  /** Forget a connection that failed, so the next call dials again. */
  drop(address: string, identity: KeyPair | undefined): void
  close(): Promise<void>
  /** The nodes that announce `keyText` in the DHT, as dialable multiaddrs (…/p2p/<peer id>); absent: no browse. */
  discover?(keyText: string, options: DiscoverOptions): Promise<string[]>
}

export interface DiscoverOptions {
  /** DHT nodes to join through (multiaddrs with /p2p/) */
  bootstrap: string[]
  mdns: boolean
  timeoutMs: number
}

/** A failure of one target, as data: a stable code and a message. */
export interface TargetError {
  code: ErrorCode
  message: string
}

/** A user mistake in a command (bad arguments, missing key, unknown target): one line, exit code 2. */
export class CommandError extends Error {
  override name = 'CommandError'
}

/** The outcome of a command that ran on several vessels (or nodes). */
export interface FanoutReport {
  /** vessel long names (or node addresses for contact) that succeeded */
  good: string[]
  /** each distinct error once, with the targets it hit */
  failed: Array<TargetError & { targets: string[] }>
  /** what each target answered, in a JSON-friendly form */
  results: Record<string, unknown>
  elapsedMs: number
  /** names of the groups made for retries, if any */
  groups: string[]
}

/** What a command answers: printable lines plus the same facts as data. */
export interface CommandResult {
  command: string
  /** false when the command itself was wrong (usage error) */
  ok: boolean
  error?: string
  lines: string[]
  fanout?: FanoutReport
  data?: unknown
  /** the shell should end (exit) */
  exit?: boolean
}

export interface Progress {
  command: string
  total: number
  done: number
  failed: number
}

/** An identity: a name with a public key and, if loaded, its private key. */
export interface Identity {
  name: string
  publicKeyText: string
  keyPair?: KeyPair
}
