// Anti-replay: every (key, nonce) is remembered until the request's expiry, in memory and in a ReplayStore,
// so a restarted node still refuses a replay. Requests are independent: parallel requests from one key
// all pass (no per-key ordering, unlike Seattle's per-vessel timestamps).
// Memory is bounded per key and in total; part of the total is kept for requests signed by the owner of the
// vessel they name, so users (or keys a careless owner made users) cannot lock the owners out.
import { NodeError } from './errors.js'

export interface ReplayEntry {
  /** public key text of the signer */
  key: string
  /** nonce as lower-case hex */
  nonce: string
  /** ms since the epoch; the entry may be forgotten from then on */
  expiry: number
  /** signed by the owner of the vessel the request named: counted in the owners' reserve */
  owner?: boolean
}

/** Where seen nonces survive a restart. */
export interface ReplayStore {
  /** all entries with expiry > now */
  load(now: number): Promise<ReplayEntry[]>
  add(entry: ReplayEntry): Promise<void>
  /** forget entries with expiry ≤ now */
  prune(now: number): Promise<void>
}

export interface ReplayLimits {
  /** live nonces one key may have; more are refused with E_BUSY until some expire */
  perKey: number
  /** live nonces of all keys together; more are refused with E_BUSY */
  total: number
  /** part of `total` only requests from vessel owners may use */
  ownerReserve: number
  /** how often expired entries are swept from memory and the store */
  pruneIntervalMs: number
}

/** ≈ 100 bytes of memory per live entry, so the total cap is ≈ 20 MB. */
export const DEFAULT_REPLAY_LIMITS: ReplayLimits = {
  perKey: 20_000,
  total: 200_000,
  ownerReserve: 100_000,
  pruneIntervalMs: 10_000,
}

interface Held {
  expiry: number
  owner: boolean
}

/** The part of a request the guard looks at. */
export interface ReplayCandidate {
  key: string
  nonce: Uint8Array
  expiry: number
  /** signed by the owner of the vessel it names (may use the owners' reserve) */
  owner?: boolean
}

export class ReplayGuard {
  private readonly byKey = new Map<string, Map<string, Held>>()
  private count = 0
  private ownerCount = 0
  private nextPrune = 0

  private constructor(
    private readonly store: ReplayStore,
    private readonly limits: ReplayLimits,
  ) {}

  /** A guard primed with the store's live entries. */
  static async open(
    store: ReplayStore = new MemoryReplayStore(),
    limits: Partial<ReplayLimits> = {},
    now = Date.now(),
  ): Promise<ReplayGuard> {
    const merged = { ...DEFAULT_REPLAY_LIMITS, ...limits }
    const guard = new ReplayGuard(store, { ...merged, ownerReserve: Math.min(merged.ownerReserve, merged.total) })
    for (const entry of await store.load(now))
      guard.remember(entry.key, entry.nonce, { expiry: entry.expiry, owner: entry.owner === true })
    guard.nextPrune = now + guard.limits.pruneIntervalMs
    return guard
  }

  /** Live entries held. */
  get size(): number {
    return this.count
  }

  /**
   * Records the request's (key, nonce), or refuses it: E_REPLAY if seen, E_BUSY at a cap.
   * The check-and-insert is synchronous, so of two concurrent copies exactly one passes;
   * it resolves once the entry is in the store.
   */
  async check(request: ReplayCandidate, now = Date.now()): Promise<void> {
    // Nothing may be awaited before the entry is remembered, so the sweep of the store runs alongside.
    const storePrune = now >= this.nextPrune ? this.sweep(now) : undefined
    const nonce = Buffer.from(request.nonce).toString('hex')
    const seen = this.byKey.get(request.key)
    const earlier = seen?.get(nonce)
    if (earlier !== undefined && earlier.expiry > now) {
      throw new NodeError('E_REPLAY', 'request already seen (same key and nonce); sign a fresh request')
    }
    if (seen !== undefined && seen.size >= this.limits.perKey) this.pruneKey(request.key, seen, now)
    if ((seen?.size ?? 0) >= this.limits.perKey) {
      throw new NodeError(
        'E_BUSY',
        `this key has ${this.limits.perKey} unexpired requests on this node; retry later or give requests a shorter expiry`,
      )
    }
    const owner = request.owner === true
    if (this.full(owner)) this.pruneMemory(now)
    if (this.full(owner)) {
      throw new NodeError(
        'E_BUSY',
        owner
          ? `the node holds ${this.limits.total} unexpired requests; retry later`
          : `the node holds ${this.limits.total - this.limits.ownerReserve} unexpired requests of vessel users; retry later or give requests a shorter expiry`,
      )
    }
    this.remember(request.key, nonce, { expiry: request.expiry, owner })
    // If the store fails the nonce stays remembered in memory: refusing a retry is safer than a replay.
    const entry: ReplayEntry = { key: request.key, nonce, expiry: request.expiry, ...(owner ? { owner } : {}) }
    await Promise.all([this.store.add(entry), storePrune])
  }

  /** Forgets expired entries in memory and in the store. */
  async prune(now = Date.now()): Promise<void> {
    await this.sweep(now)
  }

  /** Sweeps memory at once and returns the store's sweep. */
  private sweep(now: number): Promise<void> {
    this.nextPrune = now + this.limits.pruneIntervalMs
    this.pruneMemory(now)
    return this.store.prune(now)
  }

  /** Owners may fill the whole total; everyone else leaves the owners' reserve free. */
  private full(owner: boolean): boolean {
    return owner
      ? this.count >= this.limits.total
      : this.count - this.ownerCount >= this.limits.total - this.limits.ownerReserve
  }

  private remember(key: string, nonce: string, held: Held): void {
    let seen = this.byKey.get(key)
    if (seen === undefined) this.byKey.set(key, (seen = new Map<string, Held>()))
    const before = seen.get(nonce)
    if (before !== undefined) this.forget(before)
    seen.set(nonce, held)
    this.count++
    if (held.owner) this.ownerCount++
  }

  private forget(held: Held): void {
    this.count--
    if (held.owner) this.ownerCount--
  }

  private pruneKey(key: string, seen: Map<string, Held>, now: number): void {
    for (const [nonce, held] of seen) {
      if (held.expiry <= now) {
        seen.delete(nonce)
        this.forget(held)
      }
    }
    if (seen.size === 0) this.byKey.delete(key)
  }

  private pruneMemory(now: number): void {
    for (const [key, seen] of this.byKey) this.pruneKey(key, seen, now)
  }
}

/** A store that lives as long as the process (for tests and throwaway nodes). */
export class MemoryReplayStore implements ReplayStore {
  private readonly entries = new Map<string, ReplayEntry>()

  async load(now: number): Promise<ReplayEntry[]> {
    return [...this.entries.values()].filter((e) => e.expiry > now)
  }

  async add(entry: ReplayEntry): Promise<void> {
    this.entries.set(`${entry.key}\n${entry.nonce}`, entry)
  }

  async prune(now: number): Promise<void> {
    for (const [id, entry] of this.entries) if (entry.expiry <= now) this.entries.delete(id)
  }
}
