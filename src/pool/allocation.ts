// Leasing the pool's vessels: acquire, renew, release, the end of leases, and the reconciling of intents a killed
// pool left behind.
// Every decision about who gets which vessel is taken under one lock (`serial`), so two concurrent acquires never
// pick the same vessel. An acquire marks its vessels 'acquiring' and records an intent per vessel in one batch
// before it calls any node, then adds the user on the nodes (ChangeUsers, signed by the pool as owner), and records
// the leases only when every node said yes; otherwise it takes the user back off the vessels it reached. So an
// acquire is all done (user added on the node and lease recorded) or not done. An intent found later (the pool was
// killed mid-way, or a node did not answer the undo) is rolled back: the user is taken off the vessel and it is free
// again. A release resets the vessel and removes the user, and is redone from its intent until the node says yes.
import type { NodeClient } from '../client/node-client.js'
import { NodeError } from '../protocol/errors.js'
import type { DonorStatus, Lease, PoolSettings } from './pool-calls.js'
import { failureText, isUnreachable, type NodeLink } from './node-link.js'
import type { Intent, PoolChange, PoolNode, PoolStore, PoolVessel } from './pool-store.js'
import { SILENT_LOG, type Logger } from '../log/logger.js'

/** One queue for every change of the pool's state. */
export class PoolLock {
  private tail: Promise<unknown> = Promise.resolve()

  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn)
    this.tail = run.catch(() => undefined)
    return run
  }
}

export interface AllocatorOptions {
  store: PoolStore
  settings: PoolSettings
  link: NodeLink
  lock: PoolLock
  now?: () => number
  log?: Logger
}

export class Allocator {
  private readonly store: PoolStore
  private readonly link: NodeLink
  private readonly lock: PoolLock
  private readonly now: () => number
  private readonly log: Logger
  /** vessels whose node calls are under way in this process: reconcile leaves their intents alone */
  private readonly inFlight = new Set<string>()

  constructor(
    options: AllocatorOptions,
    readonly settings: PoolSettings = options.settings,
  ) {
    this.store = options.store
    this.link = options.link
    this.lock = options.lock
    this.now = options.now ?? Date.now
    this.log = options.log ?? SILENT_LOG
  }

  /** What `key` donated, may lease and leases now. */
  async status(key: string): Promise<DonorStatus> {
    const [vessels, nodes] = await Promise.all([this.store.listVessels(), this.store.listNodes()])
    return statusOf(key, vessels, nodes, this.settings)
  }

  /** Leases `count` free vessels to `user` (on distinct nodes if asked): all of them, or none (an error). */
  async acquire(user: string, count: number, distinctNodes: boolean): Promise<Lease[]> {
    const picked = await this.lock.serial(async () => {
      const [vessels, nodes] = await Promise.all([this.store.listVessels(), this.store.listNodes()])
      const status = statusOf(user, vessels, nodes, this.settings)
      if (!this.allowed(user, status))
        throw new NodeError('E_PERMISSION', 'this key may not acquire vessels from this pool (not on its allow list)')
      if (status.inUse + count > status.allowance)
        throw new NodeError(
          'E_ALLOWANCE',
          `${count} more vessels would make ${status.inUse + count}; this key's allowance is ${status.allowance} ` +
            `(${this.settings.baseAllowance} + ${this.settings.perDonated} per donated vessel × ${status.donated})`,
        )
      const choice = pick(freeVessels(vessels, nodes), count, distinctNodes)
      if (choice.length < count)
        throw new NodeError(
          'E_NO_FREE',
          `asked for ${count} vessels${distinctNodes ? ' on distinct nodes' : ''}; the pool has ${choice.length} free`,
        )
      const at = this.now()
      const changes: PoolChange[] = choice.flatMap((v) => [
        { type: 'putVessel', vessel: { ...v, state: 'acquiring', user, leaseEnd: null } },
        { type: 'putIntent', intent: { vessel: v.id, kind: 'acquire', user, at } },
      ])
      for (const v of choice) this.inFlight.add(v.id)
      await this.store.apply(changes).catch((err: unknown) => {
        for (const v of choice) this.inFlight.delete(v.id)
        throw err
      })
      return { choice, nodes: new Map(nodes.map((n) => [n.peerId, n])) }
    })
    try {
      const results = await Promise.allSettled(
        picked.choice.map((v) =>
          this.onNode(picked.nodes.get(v.peerId), v, (c) => c.call('ChangeUsers', [v.name, [user]])),
        ),
      )
      const failed = results.flatMap((r, i): Array<readonly [PoolVessel, unknown]> =>
        r.status === 'rejected' ? [[picked.choice[i]!, r.reason as unknown]] : [],
      )
      if (failed.length === 0) {
        const leaseEnd = this.now() + this.settings.leaseMs
        const done = picked.choice.map((v): PoolVessel => ({ ...v, state: 'leased', user, leaseEnd }))
        await this.lock.serial(() =>
          this.store.apply(
            done.flatMap((v): PoolChange[] => [
              { type: 'putVessel', vessel: v },
              { type: 'delIntent', vessel: v.id },
            ]),
          ),
        )
        return done.map((v) => leaseOf(v, picked.nodes.get(v.peerId)))
      }
      // take the user back off every vessel (one whose call failed may still have been changed)
      await Promise.all(picked.choice.map((v) => this.rollBack(v, picked.nodes.get(v.peerId))))
      const [vessel, reason] = failed[0]!
      throw new NodeError(
        'E_NO_FREE',
        `could not lease ${vessel.id}: ${failureText(reason)}; nothing was leased, retry`,
      )
    } finally {
      for (const v of picked.choice) this.inFlight.delete(v.id)
    }
  }

  async list(user: string): Promise<Lease[]> {
    const [vessels, nodes] = await Promise.all([this.store.listVessels(), this.store.listNodes()])
    const byPeer = new Map(nodes.map((n) => [n.peerId, n]))
    return vessels.filter((v) => v.state === 'leased' && v.user === user).map((v) => leaseOf(v, byPeer.get(v.peerId)))
  }

  /** Extends the leases of `user` on `target` ('all' or a vessel id) to now + the lease length. */
  async renew(user: string, target: string): Promise<Lease[]> {
    return this.lock.serial(async () => {
      const [vessels, nodes] = await Promise.all([this.store.listVessels(), this.store.listNodes()])
      const mine = leasedTo(vessels, user, target)
      const leaseEnd = this.now() + this.settings.leaseMs
      const renewed = mine.map((v): PoolVessel => ({ ...v, leaseEnd }))
      await this.store.apply(renewed.map((vessel): PoolChange => ({ type: 'putVessel', vessel })))
      const byPeer = new Map(nodes.map((n) => [n.peerId, n]))
      return renewed.map((v) => leaseOf(v, byPeer.get(v.peerId)))
    })
  }

  /** Gives back the leases of `user` on `target`: each vessel is reset and its user removed. Answers the vessel ids
   *  released; a node that does not answer gets its vessel released later (the intent is kept). */
  release(user: string, target: string): Promise<{ released: string[]; pending: string[] }> {
    return this.releaseWhere((vessels) => leasedTo(vessels, user, target))
  }

  /** Ends the leases that ran out (the timer). */
  async expire(): Promise<string[]> {
    const now = this.now()
    const { released } = await this.releaseWhere((vessels) =>
      vessels.filter((v) => v.state === 'leased' && v.leaseEnd !== null && v.leaseEnd <= now),
    )
    return released
  }

  /** Rolls back acquires and redoes releases that intents say were left half-way (not those under way here). */
  async reconcile(): Promise<void> {
    // Read and claim under the lock: an acquire or a release records its intents and marks them in flight in one
    // turn of the lock, and deletes them in another before it leaves the in-flight set. Read outside it, an intent
    // of an acquire that finished meanwhile looked left behind, and the leased vessel lost its user.
    const { todo, byPeer } = await this.lock.serial(async () => {
      const [intents, vessels, nodes] = await Promise.all([
        this.store.listIntents(),
        this.store.listVessels(),
        this.store.listNodes(),
      ])
      const byId = new Map(vessels.map((v) => [v.id, v]))
      const open = intents.filter((i) => !this.inFlight.has(i.vessel))
      const orphans = open.filter((i) => !byId.has(i.vessel))
      await this.store.apply(orphans.map((i): PoolChange => ({ type: 'delIntent', vessel: i.vessel })))
      const claimed = open.flatMap((intent) => {
        const vessel = byId.get(intent.vessel)
        return vessel === undefined ? [] : [{ intent, vessel }]
      })
      for (const { vessel } of claimed) this.inFlight.add(vessel.id)
      return { todo: claimed, byPeer: new Map(nodes.map((n) => [n.peerId, n])) }
    })
    await Promise.all(
      todo.map(async ({ intent, vessel }: { intent: Intent; vessel: PoolVessel }) => {
        try {
          if (intent.kind === 'acquire') await this.rollBack(vessel, byPeer.get(vessel.peerId))
          else await this.finishRelease(vessel, byPeer.get(vessel.peerId))
        } finally {
          this.inFlight.delete(vessel.id)
        }
      }),
    )
  }

  private allowed(user: string, status: DonorStatus): boolean {
    return this.settings.allow === null || this.settings.allow.includes(user) || status.donated > 0
  }

  /** Marks the vessels `select` picks 'releasing' with their intents (under the lock, so a renew or an acquire
   *  cannot interleave), then resets them on their nodes. */
  private async releaseWhere(
    select: (vessels: PoolVessel[]) => PoolVessel[],
  ): Promise<{ released: string[]; pending: string[] }> {
    const { chosen, nodes } = await this.lock.serial(async () => {
      const picked = select(await this.store.listVessels())
        .filter((v) => !this.inFlight.has(v.id))
        .map((v): PoolVessel => ({ ...v, state: 'releasing' }))
      const at = this.now()
      await this.store.apply(
        picked.flatMap((v): PoolChange[] => [
          { type: 'putVessel', vessel: v },
          { type: 'putIntent', intent: { vessel: v.id, kind: 'release', user: v.user ?? '', at } },
        ]),
      )
      for (const v of picked) {
        this.inFlight.add(v.id)
        this.log.info(`releasing ${v.id} of ${v.user?.slice(12, 22) ?? '?'}`, { vessel: v.id })
      }
      return { chosen: picked, nodes: picked.length === 0 ? [] : await this.store.listNodes() }
    })
    const byPeer = new Map(nodes.map((n) => [n.peerId, n]))
    const released: string[] = []
    const pending: string[] = []
    await Promise.all(
      chosen.map(async (v) => {
        try {
          const done = await this.finishRelease(v, byPeer.get(v.peerId))
          ;(done ? released : pending).push(v.id)
        } finally {
          this.inFlight.delete(v.id)
        }
      }),
    )
    return { released: released.sort(), pending: pending.sort() }
  }

  /** Resets the vessel and removes its users, then records it free. False (intent kept) if the node did not do it. */
  private async finishRelease(v: PoolVessel, node: PoolNode | undefined): Promise<boolean> {
    try {
      await this.onNode(node, v, async (c) => {
        await c.call('ResetVessel', [v.name])
        await c.call('ChangeUsers', [v.name, []])
      })
    } catch (err) {
      if (notOurs(err)) {
        await this.drop(v, err)
        return true
      }
      this.log.warn(`could not release ${v.id}: ${failureText(err)}`, { vessel: v.id })
      return false
    }
    await this.markFree(v)
    return true
  }

  /** Takes the user back off a vessel an acquire did not finish; it stays 'acquiring' (intent kept) if that fails. */
  private async rollBack(v: PoolVessel, node: PoolNode | undefined): Promise<void> {
    try {
      await this.onNode(node, v, (c) => c.call('ChangeUsers', [v.name, []]))
    } catch (err) {
      if (notOurs(err)) return this.drop(v, err)
      this.log.warn(`could not take the user back off ${v.id}: ${failureText(err)}`, { vessel: v.id })
      return
    }
    await this.markFree(v)
  }

  /** The node says the vessel is not the pool's (any more), whatever its vessel list said: it leaves the pool. A node
   *  left with no vessel here leaves too, so the timer's recheck does not take its word (its list) again. */
  private drop(v: PoolVessel, err: unknown): Promise<void> {
    this.log.warn(`${v.id} leaves the pool: its node refused the pool as owner (${failureText(err)})`, { vessel: v.id })
    return this.lock.serial(async () => {
      const others = (await this.store.listVessels()).some((x) => x.peerId === v.peerId && x.id !== v.id)
      await this.store.apply([
        { type: 'delVessel', id: v.id },
        { type: 'delIntent', vessel: v.id },
        ...(others ? [] : [{ type: 'delNode', peerId: v.peerId } as const]),
      ])
    })
  }

  private markFree(v: PoolVessel): Promise<void> {
    return this.lock.serial(async () => {
      // the vessel may have left the pool meanwhile (its owner took it back)
      const still = (await this.store.listVessels()).some((x) => x.id === v.id)
      const changes: PoolChange[] = [{ type: 'delIntent', vessel: v.id }]
      if (still) changes.push({ type: 'putVessel', vessel: { ...v, state: 'free', user: null, leaseEnd: null } })
      await this.store.apply(changes)
    })
  }

  /** A call on the vessel's node; a node that does not answer is marked unavailable. */
  private async onNode<T>(node: PoolNode | undefined, v: PoolVessel, fn: (c: NodeClient) => Promise<T>): Promise<T> {
    if (node === undefined) throw new NodeError('E_UNREACHABLE', `no address known for ${v.peerId}`)
    try {
      return await this.link.with(node.addresses, node.peerId, fn)
    } catch (err) {
      if (isUnreachable(err))
        await this.lock.serial(async () => {
          const now = await this.store.node(node.peerId)
          if (now?.available)
            await this.store.apply([
              { type: 'putNode', node: { ...now, available: false, lastError: failureText(err) } },
            ])
        })
      throw err
    }
  }
}

/** A node's answer that the pool is not the vessel's owner, or that there is no such vessel. */
const notOurs = (err: unknown): boolean =>
  err instanceof NodeError && (err.code === 'E_PERMISSION' || err.code === 'E_NO_VESSEL')

/** Free vessels on nodes that answer. */
function freeVessels(vessels: PoolVessel[], nodes: PoolNode[]): PoolVessel[] {
  const up = new Set(nodes.filter((n) => n.available).map((n) => n.peerId))
  return vessels.filter((v) => v.state === 'free' && up.has(v.peerId))
}

/** `count` vessels spread over the nodes (round robin over the nodes with most free vessels first). */
function pick(free: PoolVessel[], count: number, distinctNodes: boolean): PoolVessel[] {
  const byNode = new Map<string, PoolVessel[]>()
  for (const v of [...free].sort((a, b) => a.id.localeCompare(b.id))) {
    const list = byNode.get(v.peerId) ?? []
    list.push(v)
    byNode.set(v.peerId, list)
  }
  const queues = [...byNode.values()].sort((a, b) => b.length - a.length)
  const chosen: PoolVessel[] = []
  for (let round = 0; chosen.length < count && (round === 0 || !distinctNodes); round++) {
    let took = false
    for (const q of queues) {
      const v = q[round]
      if (v === undefined || chosen.length >= count) continue
      chosen.push(v)
      took = true
    }
    if (!took) break
  }
  return chosen
}

function leasedTo(vessels: PoolVessel[], user: string, target: string): PoolVessel[] {
  const mine = vessels.filter((v) => v.state === 'leased' && v.user === user)
  if (target === 'all') return mine
  const one = mine.filter((v) => v.id === target)
  if (one.length === 0) throw new NodeError('E_NO_VESSEL', `${target} is not leased to this key`)
  return one
}

function leaseOf(v: PoolVessel, node: PoolNode | undefined): Lease {
  return { id: v.id, node: node?.addresses[0] ?? v.peerId, vessel: v.name, leaseEnd: v.leaseEnd ?? 0 }
}

function statusOf(key: string, vessels: PoolVessel[], nodes: PoolNode[], settings: PoolSettings): DonorStatus {
  const given = vessels.filter((v) => v.donorKey === key)
  const perNode = new Map<string, number>()
  for (const v of given) perNode.set(v.peerId, (perNode.get(v.peerId) ?? 0) + 1)
  const available = new Map(nodes.map((n) => [n.peerId, n.available]))
  return {
    key,
    donated: given.length,
    allowance: settings.baseAllowance + settings.perDonated * given.length,
    inUse: vessels.filter((v) => v.user === key && (v.state === 'leased' || v.state === 'acquiring')).length,
    nodes: [...perNode].map(([peerId, n]) => ({ peerId, vessels: n, available: available.get(peerId) ?? false })),
  }
}
