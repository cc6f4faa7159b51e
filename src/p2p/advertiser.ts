// Announces in the DHT that this libp2p node serves a set of public keys (a node manager's: the owner and user keys
// of its advertised vessels, src/node/node-discovery.ts): one provider record per key, keyed by
// CID(raw, sha256(utf8(key text))), re-announced every `refreshMs`.
//   const adv = new Advertiser(node, { refreshMs: 300_000 })
//   await adv.setKeys(keysOfAdvertisedVessels)   // on start, and after every change of owners/users/advertise
//   adv.status()                                  // last announce result per key
//   await adv.stop()                              // before the libp2p node stops
// Withdraw (a key left the set): the key is no longer re-announced and our own provider record is deleted at
// once (kad-dht's cancelReprovide). Copies already stored on other nodes cannot be recalled in Kademlia: they
// stay until those nodes sweep records older than the TTL (discoveryServices' providerTtlMs/cleanupMs), so a
// withdrawn key stops being found at most TTL + cleanup interval after its last announce.
import type { KadDHT } from '@libp2p/kad-dht'
import type { CID } from 'multiformats/cid'
import { keyFingerprint } from '../keys/key-text.js'
import { DEFAULT_REFRESH_MS, keyCid } from './discovery-services.js'
import { SILENT_LOG, type Logger } from '../log/logger.js'

export interface AnnounceStatus {
  key: string
  cid: string
  /** ms since the epoch of the last attempt that finished, null before the first */
  lastAttempt: number | null
  /** ms since the epoch of the last announce that reached at least one peer */
  lastSuccess: number | null
  /** peers that stored the record in the last attempt */
  peers: number
  /** why the last attempt failed (no peers, timeout ...), null if it succeeded */
  error: string | null
}

export interface AdvertiserOptions {
  /** re-announce period; keep it at most half the provider TTL of discoveryServices (default 300 s of 750 s) */
  refreshMs?: number
  /** retry period for a key whose last announce failed (default min(refreshMs, 5 s)) */
  retryMs?: number
  /** time limit of one announce (default 30 s) */
  announceTimeoutMs?: number
  /** announces running at once (default 4) */
  concurrency?: number
  /** announces at info when a key is first announced or its announces start working again, at warn when they stop
   *  working, else at debug (every refresh); withdrawals at info */
  log?: Logger
}

interface Entry {
  status: AnnounceStatus
  cid: CID
  running: Promise<void> | null
  abort: AbortController | null
}

export class Advertiser {
  private readonly entries = new Map<string, Entry>()
  private readonly refreshMs: number
  private readonly retryMs: number
  private readonly timeoutMs: number
  private readonly concurrency: number
  private readonly log: Logger
  private timer: NodeJS.Timeout | null = null
  private active = 0
  private readonly waiting: Array<() => void> = []
  private stopped = false
  private diffTail: Promise<void> = Promise.resolve()

  constructor(
    private readonly node: { services: { dht: KadDHT } },
    options: AdvertiserOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS
    this.retryMs = options.retryMs ?? Math.min(this.refreshMs, 5_000)
    this.timeoutMs = options.announceTimeoutMs ?? 30_000
    this.concurrency = options.concurrency ?? 4
    this.log = options.log ?? SILENT_LOG
    this.schedule()
  }

  /**
   * The full set of keys served now. New keys are announced at once (the promise settles when those announces
   * have finished, successfully or not; it never rejects); keys no longer in the set are withdrawn.
   */
  async setKeys(keys: Iterable<string>): Promise<void> {
    if (this.stopped) return
    const wanted = [...new Set(keys)]
    // Calls apply in the order they were made: each diff runs after the previous one, without an await between
    // reading the entries and changing them (else an older set could land after a newer one).
    const diff = this.diffTail.then(async () => {
      const cids = await Promise.all(wanted.map((key) => (this.entries.has(key) ? null : keyCid(key))))
      if (this.stopped) return { withdrawals: [], added: [] }
      const keep = new Set(wanted)
      const withdrawals: Array<Promise<void>> = []
      for (const [key, entry] of this.entries) {
        if (!keep.has(key)) withdrawals.push(this.withdraw(key, entry))
      }
      const added: string[] = []
      wanted.forEach((key, i) => {
        const cid = cids[i]
        if (this.entries.has(key) || cid == null) return
        this.entries.set(key, {
          cid,
          running: null,
          abort: null,
          status: { key, cid: cid.toString(), lastAttempt: null, lastSuccess: null, peers: 0, error: null },
        })
        added.push(key)
      })
      return { withdrawals, added }
    })
    this.diffTail = diff.then(
      () => undefined,
      () => undefined,
    )
    const { withdrawals, added } = await diff
    await Promise.all([...withdrawals, ...added.map((key) => this.announce(key))])
  }

  /** Settles once every setKeys call made so far has changed the served set (its announces may still run). */
  keysApplied(): Promise<void> {
    return this.diffTail
  }

  /** Announces every served key again now (the node's addresses changed, e.g. it reserved a relay slot). */
  reannounce(): void {
    for (const [key, entry] of this.entries) {
      // an announce under way may carry the old addresses: announce once more after it
      if (entry.running === null) void this.announce(key)
      else void entry.running.then(() => this.announce(key))
    }
  }

  /** The keys currently served. */
  keys(): string[] {
    return [...this.entries.keys()]
  }

  /** The last announce result of every served key. */
  status(): AnnounceStatus[] {
    return [...this.entries.values()].map((e) => ({ ...e.status }))
  }

  /**
   * Stops re-announcing and drops this node's own provider records (else kad-dht would re-provide them once
   * expired). Copies on other nodes expire after the TTL.
   */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    for (const release of this.waiting.splice(0)) release()
    const entries = [...this.entries.values()]
    this.entries.clear()
    for (const entry of entries) entry.abort?.abort()
    await Promise.all(entries.map((entry) => this.dropLocal(entry.cid)))
  }

  private schedule(): void {
    if (this.stopped) return
    const tick = Math.max(50, Math.min(this.retryMs, Math.floor(this.refreshMs / 2)))
    this.timer = setTimeout(() => {
      this.refresh()
      this.schedule()
    }, tick)
    this.timer.unref()
  }

  /** Announces every key whose last success is older than refreshMs, or whose last attempt failed retryMs ago. */
  private refresh(): void {
    const now = Date.now()
    for (const [key, { status, running }] of this.entries) {
      if (running !== null || status.lastAttempt === null) continue
      const due =
        status.error === null
          ? now - (status.lastSuccess ?? 0) >= this.refreshMs
          : now - status.lastAttempt >= this.retryMs
      if (due) void this.announce(key)
    }
  }

  private announce(key: string): Promise<void> {
    const entry = this.entries.get(key)
    if (entry === undefined) return Promise.resolve()
    if (entry.running !== null) return entry.running
    const run = this.provide(key, entry).finally(() => {
      entry.running = null
      entry.abort = null
    })
    entry.running = run
    return run
  }

  private async provide(key: string, entry: Entry): Promise<void> {
    await this.slot()
    const abort = new AbortController()
    entry.abort = abort
    let peers = 0
    let error: string | null = null
    try {
      if (this.stopped || this.entries.get(key) !== entry) return
      const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(this.timeoutMs)])
      for await (const event of this.node.services.dht.provide(entry.cid, { signal })) {
        if (event.name === 'PEER_RESPONSE' && event.messageName === 'ADD_PROVIDER') peers++
      }
      if (peers === 0) error = 'no DHT peer stored the record (no peers known yet?)'
    } catch (err) {
      error = abort.signal.aborted ? 'cancelled' : err instanceof Error ? err.message : String(err)
    } finally {
      this.release()
    }
    if (this.entries.get(key) !== entry) {
      // withdrawn while announcing: provide() may have re-added our local record, drop it again
      if (!this.entries.has(key)) await this.dropLocal(entry.cid)
      return
    }
    const now = Date.now()
    const before = entry.status
    entry.status = { ...before, lastAttempt: now, peers, error, lastSuccess: error === null ? now : before.lastSuccess }
    // a lone node retries failed announces every few seconds: only a change is news
    const changed = before.lastAttempt === null ? error !== 'cancelled' : (before.error === null) !== (error === null)
    const fingerprint = keyFingerprint(key)
    if (error === null)
      this.log.log(changed ? 'info' : 'debug', `announced key ${fingerprint} to ${peers} DHT peers`, {
        event: 'announced',
        key: fingerprint,
        peers,
      })
    else
      this.log.log(changed ? 'warn' : 'debug', `could not announce key ${fingerprint}: ${error}`, {
        event: 'announce failed',
        key: fingerprint,
        error,
      })
  }

  private async withdraw(key: string, entry: Entry): Promise<void> {
    this.entries.delete(key)
    entry.abort?.abort()
    await this.dropLocal(entry.cid)
    this.log.info(`withdrew key ${keyFingerprint(key)} from the DHT`, { event: 'withdrawn', key: keyFingerprint(key) })
  }

  private async dropLocal(cid: CID): Promise<void> {
    try {
      await this.node.services.dht.cancelReprovide(cid)
    } catch (err) {
      this.log.warn(
        `could not drop the local record of ${cid.toString()}: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
  }

  private async slot(): Promise<void> {
    while (this.active >= this.concurrency && !this.stopped) {
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    }
    this.active++
  }

  private release(): void {
    this.active--
    this.waiting.shift()?.()
  }
}
