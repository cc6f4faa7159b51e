// Which nodes donated vessels to the pool, and which of their vessels are really the pool's. A node is checked by
// asking it (GetVessels): its vessels owned by the pool's key are offered (their owner information names the donor),
// vessels whose owner is no longer the pool leave it, and a node that does not answer is marked unavailable (its
// vessels are not free) until it answers again. Nodes are found by an Announce request and by looking the pool's
// key up in the DHT (donated vessels make their nodes announce it), both checked the same way.
import { browseKey } from '../client/browse.js'
import type { DiscoveryNode } from '../p2p/discovery-services.js'
import { NodeError } from '../protocol/errors.js'
import { isValidVesselName } from '../protocol/validate.js'
import { donorInfo, donorOf } from './pool-calls.js'
import type { PoolLock } from './allocation.js'
import { failureText, isUnreachable, type NodeLink } from './node-link.js'
import type { PoolChange, PoolStore, PoolVessel } from './pool-store.js'
import { SILENT_LOG, type Logger } from '../log/logger.js'

/** Most vessels the pool takes from one node (a bound on what a node can make the pool store). */
export const MAX_VESSELS_PER_NODE = 100
/** Most vessels the pool holds in all: peer ids cost nothing, so the bound per node alone bounds nothing. */
export const MAX_POOL_VESSELS = 10_000

/** What the pool keeps of a node's vessel list, checked: a node's answer is not trusted. */
interface NodeVessel {
  name: string
  ownerKey: string
  userKeys: string[]
  ownerInfo: string
}

function nodeVessels(value: unknown, peerId: string): NodeVessel[] {
  const lie = (what: string): never => {
    throw new NodeError('E_NOT_DONATED', `node ${peerId} answered a malformed vessel list (${what})`)
  }
  if (typeof value !== 'object' || value === null) return lie('not a map')
  const summary = value as { peerId?: unknown; vessels?: unknown }
  if (summary.peerId !== peerId) return lie(`it names itself ${String(summary.peerId).slice(0, 60)}`)
  if (!Array.isArray(summary.vessels)) return lie('no vessel list')
  const seen = new Set<string>()
  return summary.vessels.map((raw: unknown): NodeVessel => {
    const v = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
    const { name, ownerKey, userKeys, ownerInfo } = v
    if (typeof name !== 'string' || !isValidVesselName(name) || seen.has(name)) return lie('a bad or repeated name')
    if (typeof ownerKey !== 'string' || typeof ownerInfo !== 'string') return lie(`${name} without owner`)
    if (!Array.isArray(userKeys) || !userKeys.every((k) => typeof k === 'string')) return lie(`${name}'s users`)
    seen.add(name)
    return { name, ownerKey, userKeys: userKeys, ownerInfo }
  })
}

export class DonatedNodes {
  constructor(
    private readonly store: PoolStore,
    private readonly link: NodeLink,
    private readonly lock: PoolLock,
    private readonly poolKey: string,
    private readonly log: Logger = SILENT_LOG,
    private readonly now: () => number = Date.now,
    private readonly maxVessels = MAX_POOL_VESSELS,
  ) {}

  /**
   * Asks the node at `addresses` for its vessels and takes in those the pool owns (`claimant`, the signer of an
   * Announce, is recorded as the donor of those whose owner information names none). E_NOT_DONATED if it owns none
   * there (or the node lies about itself), E_UNREACHABLE/E_TIMEOUT if the node does not answer. Answers the peer id
   * and how many of its vessels are the pool's. A `recheck` (the timer's) changes nothing for a node that is no longer
   * known by the time it answers.
   */
  async check(
    addresses: readonly string[],
    expectedPeer: string | null,
    claimant: string | null = null,
    recheck = false,
  ): Promise<{ peerId: string; vessels: number }> {
    let peerId = expectedPeer
    let listed: NodeVessel[]
    try {
      listed = await this.link.with(addresses, expectedPeer, async (client) => {
        peerId = client.peerId
        const vessels = nodeVessels(await client.callRaw('GetVessels', []), client.peerId)
        if (claimant === null) return vessels
        // ChangeOwner clears the owner information (as in Seattle), so a donor who gave running vessels away names
        // itself by announcing them: the pool, now their owner, writes it there, where later checks read it
        return Promise.all(
          vessels.map(async (v) => {
            if (v.ownerKey !== this.poolKey || v.ownerInfo !== '') return v
            const ownerInfo = donorInfo(claimant)
            try {
              await client.call('ChangeOwnerInformation', [v.name, ownerInfo])
              return { ...v, ownerInfo }
            } catch (err) {
              // a vessel the node will not let its owner label earns nobody anything; it is still offered
              this.log.warn(`could not name the donor of ${client.peerId}:${v.name}: ${failureText(err)}`)
              return v
            }
          }),
        )
      })
    } catch (err) {
      if (isUnreachable(err) && peerId !== null) await this.markUnavailable(peerId, failureText(err))
      throw err
    }
    const id = peerId!
    const ours = listed.filter((v) => v.ownerKey === this.poolKey).slice(0, MAX_VESSELS_PER_NODE)
    let taken = ours.length
    await this.lock.serial(async () => {
      const stored = await this.store.node(id)
      // a recheck answered by a node that left the pool meanwhile (it refused the pool as owner) takes nothing in
      if (recheck && stored === undefined) return
      const all = await this.store.listVessels()
      const known = all.filter((v) => v.peerId === id)
      const owned = new Map(ours.map((v) => [v.name, v]))
      const changes: PoolChange[] = []
      for (const v of known) {
        const now = owned.get(v.name)
        if (now !== undefined) {
          const donorKey = donorOf(now.ownerInfo)
          if (donorKey !== v.donorKey) changes.push({ type: 'putVessel', vessel: { ...v, donorKey } })
          continue
        }
        // the owner took it back (or split it): it leaves the pool, lease or not; the pool can no longer touch it
        changes.push({ type: 'delVessel', id: v.id }, { type: 'delIntent', vessel: v.id })
        this.log.info(`${v.id} left the pool (its owner is no longer the pool)`, { vessel: v.id })
      }
      const knownNames = new Set(known.map((v) => v.name))
      let room = this.maxVessels - all.length
      for (const v of ours) {
        if (knownNames.has(v.name)) continue
        if (room <= 0) {
          taken--
          continue
        }
        room--
        const vessel: PoolVessel = {
          id: `${id}:${v.name}`,
          peerId: id,
          name: v.name,
          donorKey: donorOf(v.ownerInfo),
          state: 'free',
          user: null,
          leaseEnd: null,
        }
        changes.push({ type: 'putVessel', vessel })
        this.log.info(`${vessel.id} joined the pool`, { vessel: vessel.id })
      }
      // Only the node's own Announce moves a node the pool reaches: the timer's checks dialed addresses read before
      // they began, and an Announce may have replaced them since (a relayed address once the node has a relay slot).
      const moved = claimant !== null || stored?.available !== true
      if (taken > 0 || known.length > 0 || stored !== undefined)
        changes.push({
          type: 'putNode',
          node: {
            peerId: id,
            addresses: moved ? [...addresses] : stored.addresses,
            available: true,
            lastSeen: this.now(),
            lastError: null,
          },
        })
      await this.store.apply(changes)
    })
    if (ours.length === 0)
      throw new NodeError('E_NOT_DONATED', `node ${id} has no vessel owned by this pool's key (ChangeOwner first)`)
    if (taken === 0)
      throw new NodeError('E_QUOTA', `the pool holds its limit of ${this.maxVessels} vessels and takes no more`)
    return { peerId: id, vessels: taken }
  }

  /** Checks every known node again (the timer): who answers, which vessels are still the pool's. */
  async recheck(): Promise<void> {
    const nodes = await this.store.listNodes()
    await Promise.all(
      nodes.map((n) =>
        this.check(n.addresses, n.peerId, null, true).catch((err: unknown) => {
          if (!isUnreachable(err) && !(err instanceof NodeError && err.code === 'E_NOT_DONATED'))
            this.log.warn(`checking node ${n.peerId}: ${failureText(err)}`, { peer: n.peerId })
        }),
      ),
    )
  }

  /** Looks the pool's key up in the DHT and checks the nodes found that the pool does not know yet, and those it
   *  knows that did not answer at their stored addresses (a node behind NAT is reached at a relayed address it
   *  gains after start). Answers how many of them answered. */
  async lookUp(node: DiscoveryNode, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    const found = await browseKey(node, this.poolKey, { timeoutMs, signal })
    if (signal?.aborted === true) return 0
    const known = new Set((await this.store.listNodes()).filter((n) => n.available).map((n) => n.peerId))
    let added = 0
    await Promise.all(
      found
        .filter((f) => !known.has(f.peerId) && f.addresses.length > 0)
        .map(async (f) => {
          try {
            await this.check(
              f.addresses.map((a) => `${a}/p2p/${f.peerId}`),
              f.peerId,
            )
            added++
          } catch (err) {
            this.log.debug(`node ${f.peerId} found in the DHT: ${failureText(err)}`, { peer: f.peerId })
          }
        }),
    )
    return added
  }

  private markUnavailable(peerId: string, why: string): Promise<void> {
    return this.lock.serial(async () => {
      const node = await this.store.node(peerId)
      if (node?.available)
        await this.store.apply([{ type: 'putNode', node: { ...node, available: false, lastError: why } }])
      if (node?.available) this.log.warn(`node ${peerId} does not answer: ${why}`, { peer: peerId })
    })
  }
}
