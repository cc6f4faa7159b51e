// The pool protocol (/flotilla/pool/1.0.0): its calls with their tiers and argument kinds (POOL_CALLS), validated
// at the edge as the node's CALL_SIGNATURES are (src/protocol/validate.ts), and the shapes of the answers. Requests
// travel in the node protocol's signed CBOR format (src/protocol/signing.ts) with the pool's peer id as destination.
import { multiaddr } from '@multiformats/multiaddr'
import { parsePublicKeyText, publicKeyText } from '../keys/key-text.js'
import { NodeError } from '../protocol/errors.js'

export const POOL_PROTOCOL_ID = '/flotilla/pool/1.0.0'

/** 'public': anyone, unsigned; 'signed': a signature by the key the call is about (experimenter, donor or node). */
export type PoolTier = 'public' | 'signed'

interface PoolArgKinds {
  /** how many vessels: a whole number 1..MAX_ACQUIRE */
  count: number
  boolean: boolean
  /** 'all' or one leased vessel '<node peer id>:v<n>' */
  target: string
  /** a node's multiaddrs, each with /p2p/<peer id> */
  addresses: string[]
}
type PoolArgKind = keyof PoolArgKinds

interface PoolArgSpec {
  readonly name: string
  readonly kind: PoolArgKind
}

export interface PoolCallSignature {
  readonly tier: PoolTier
  readonly args: readonly PoolArgSpec[]
  readonly description: string
}

const arg = <N extends string, K extends PoolArgKind>(name: N, kind: K) => ({ name, kind }) as const

export const POOL_CALLS = {
  PoolInfo: { tier: 'public', args: [], description: "the pool's key, settings and how many vessels are free" },
  Acquire: {
    tier: 'signed',
    args: [arg('count', 'count'), arg('distinctNodes', 'boolean')],
    description: 'lease this many free vessels to the signing key (all or none)',
  },
  List: { tier: 'signed', args: [], description: 'the vessels leased to the signing key' },
  Renew: { tier: 'signed', args: [arg('target', 'target')], description: 'extend leases by the lease length' },
  Release: {
    tier: 'signed',
    args: [arg('target', 'target')],
    description: 'reset and give back leased vessels',
  },
  Status: {
    tier: 'signed',
    args: [],
    description: 'what the signing key donated, its allowance and what it uses',
  },
  Announce: {
    tier: 'signed',
    args: [arg('addresses', 'addresses')],
    description: 'a node says it donated vessels to the pool; the pool checks with the node',
  },
} as const satisfies Record<string, PoolCallSignature>

export type PoolCallName = keyof typeof POOL_CALLS

type ArgsOf<S extends readonly PoolArgSpec[]> = {
  -readonly [I in keyof S]: S[I] extends { kind: infer K extends PoolArgKind } ? PoolArgKinds[K] : never
}
export type PoolCallArgs<C extends PoolCallName> = ArgsOf<(typeof POOL_CALLS)[C]['args']>
export type ValidPoolCall = { [C in PoolCallName]: { call: C; args: PoolCallArgs<C> } }[PoolCallName]

/** Most vessels one Acquire may ask for (an allowance is usually far below). */
export const MAX_ACQUIRE = 1000
const MAX_ADDRESSES = 16
const MAX_ADDRESS_LENGTH = 256
const VESSEL_ID = /^[1-9A-HJ-NP-Za-km-z]{32,64}:v[1-9][0-9]{0,8}$/

export const isPoolCallName = (call: string): call is PoolCallName => Object.hasOwn(POOL_CALLS, call)

export function poolCallSignature(call: string): PoolCallSignature & { name: PoolCallName } {
  if (!isPoolCallName(call)) throw new NodeError('E_UNKNOWN_CALL', `unknown pool call '${call.slice(0, 64)}'`)
  return { name: call, ...POOL_CALLS[call] }
}

function isAddress(text: unknown): text is string {
  if (typeof text !== 'string' || text.length > MAX_ADDRESS_LENGTH) return false
  try {
    return multiaddr(text)
      .getComponents()
      .some((c) => c.name === 'p2p')
  } catch {
    return false
  }
}

type Checker<K extends PoolArgKind> = (value: unknown, bad: (expected: string) => never) => PoolArgKinds[K]

const CHECKERS: { [K in PoolArgKind]: Checker<K> } = {
  count: (v, bad) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= MAX_ACQUIRE
      ? v
      : bad(`a whole number 1..${MAX_ACQUIRE}`),
  boolean: (v, bad) => (typeof v === 'boolean' ? v : bad('true or false')),
  target: (v, bad) =>
    typeof v === 'string' && (v === 'all' || VESSEL_ID.test(v)) ? v : bad("'all' or a vessel '<peer id>:v<n>'"),
  addresses: (v, bad) =>
    Array.isArray(v) && v.length >= 1 && v.length <= MAX_ADDRESSES && v.every(isAddress)
      ? v
      : bad(`a list of 1..${MAX_ADDRESSES} multiaddrs ending in /p2p/<peer id>`),
}

const describe = (value: unknown): string =>
  typeof value === 'string'
    ? JSON.stringify(value.slice(0, 40))
    : Array.isArray(value)
      ? `a list of ${value.length}`
      : value instanceof Uint8Array
        ? `${value.length} bytes`
        : String(value)

/** Checks a pool call's arguments against POOL_CALLS: E_UNKNOWN_CALL, or E_USAGE naming the argument. */
export function validatePoolCall(call: string, args: readonly unknown[]): ValidPoolCall {
  const signature = poolCallSignature(call)
  if (args.length !== signature.args.length) {
    const names = signature.args.map((a) => a.name).join(', ')
    throw new NodeError('E_USAGE', `${call} takes ${signature.args.length} arguments (${names}), got ${args.length}`)
  }
  const checked = signature.args.map((spec, i) => {
    const bad = (expected: string): never => {
      throw new NodeError('E_USAGE', `${call}: argument '${spec.name}' must be ${expected}, got ${describe(args[i])}`)
    }
    return (CHECKERS[spec.kind] as Checker<PoolArgKind>)(args[i], bad)
  })
  return { call: signature.name, args: checked } as ValidPoolCall
}

/** The pool's settings, stored at its first start. */
export interface PoolSettings {
  /** vessels any allowed key may lease */
  baseAllowance: number
  /** more vessels per vessel the key has donated (and that is in the pool now) */
  perDonated: number
  leaseMs: number
  /** keys that may acquire; null: anyone */
  allow: string[] | null
}

export interface PoolInfo {
  key: string
  peerId: string
  settings: PoolSettings
  nodes: number
  vessels: number
  free: number
  /** the web page's URL (`pool start --http`), null when it serves none */
  http: string | null
}

/** A vessel leased to a key. */
export interface Lease {
  /** '<node peer id>:v<n>' */
  id: string
  /** the node's address, with /p2p/ */
  node: string
  vessel: string
  leaseEnd: number
}

export interface DonorStatus {
  key: string
  /** vessels this key donated that are in the pool now */
  donated: number
  /** base + perDonated × donated */
  allowance: number
  /** vessels leased to this key */
  inUse: number
  nodes: Array<{ peerId: string; vessels: number; available: boolean }>
}

export interface AnnounceResult {
  peerId: string
  /** vessels of the node in the pool after the check */
  vessels: number
}

const DONOR_PREFIX = 'pool donor '

/** The owner information a donated vessel carries, naming its donor (the key that earns allowance for it). */
export function donorInfo(donorKey: string): string {
  return DONOR_PREFIX + donorKey
}

/** The donor key in a vessel's owner information, or null if it names none. */
export function donorOf(ownerInfo: string): string | null {
  if (!ownerInfo.startsWith(DONOR_PREFIX)) return null
  const key = ownerInfo.slice(DONOR_PREFIX.length).trim()
  try {
    return publicKeyText(parsePublicKeyText(key))
  } catch {
    return null
  }
}
