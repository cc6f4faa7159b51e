// The shell's model: identities, known nodes and vessels (targets), groups and defaults. Pure data and lookups.
import type { NodeSummary, VesselSummary } from '../protocol/results.js'
import { CommandError, type Identity } from './types.js'

export const ALL = '%all'
export const DEFAULT_TIMEOUT_S = 30
export const DEFAULT_CONCURRENCY = 32
const SHORT_ID_LENGTH = 6

export interface NodeRecord {
  peerId: string
  /** the multiaddr used to reach it */
  address: string
  /** stable readable prefix of the vessels' long names (the last characters of the peer id) */
  short: string
  ip: string
  /** ip:port from the address, for `host:port:vessel` names */
  hostPort: string | null
  /** when GetVessels last answered, ms since the epoch */
  updatedAt: number
}

export interface VesselTarget {
  /** `%N` id number */
  id: number
  /** `<short>:<vessel>` */
  longName: string
  peerId: string
  vessel: string
  info: VesselSummary | null
}

export class ShellState {
  identities = new Map<string, Identity>()
  nodes = new Map<string, NodeRecord>()
  /** by long name, in the order added */
  targets = new Map<string, VesselTarget>()
  /** group name -> long names (the group %all is implicit) */
  groups = new Map<string, Set<string>>()
  identity: string | null = null
  target: string | null = null
  timeoutS = DEFAULT_TIMEOUT_S
  concurrency = DEFAULT_CONCURRENCY
  nextId = 1
  /** DHT nodes browse joins through (multiaddrs with /p2p/) */
  bootstrap: string[] = []
  /** browse also finds DHT nodes on the LAN by mDNS */
  mdns = false

  prompt(): string {
    if (this.identity === null) return this.target === null ? ' !> ' : `@${this.target} !> `
    return `${this.identity}@${this.target ?? ''} !> `
  }

  // ---- identities ----

  addIdentity(identity: Identity): void {
    this.identities.set(identity.name, identity)
  }

  getIdentity(name: string): Identity {
    const id = this.identities.get(name)
    if (!id)
      throw new CommandError(`unknown identity '${name}' (loaded: ${[...this.identities.keys()].join(', ') || 'none'})`)
    return id
  }

  currentIdentity(): Identity | undefined {
    return this.identity === null ? undefined : this.identities.get(this.identity)
  }

  /** The identity that signs requests; CommandError if there is none or it lacks its private key. */
  signingIdentity(): Identity & { keyPair: NonNullable<Identity['keyPair']> } {
    const id = this.currentIdentity()
    if (!id)
      throw new CommandError('no identity: load one with `loadkeys <name>` (or `genkeys <name>`), then `as <name>`')
    if (!id.keyPair)
      throw new CommandError(`identity '${id.name}' has no private key: load it with \`loadpriv <file> as ${id.name}\``)
    return id as Identity & { keyPair: NonNullable<Identity['keyPair']> }
  }

  // ---- nodes and vessels ----

  /** Records a node and the given vessels of it; returns the targets added or updated. */
  addNode(address: string, summary: NodeSummary, vessels: VesselSummary[]): VesselTarget[] {
    const node = this.recordNode(address, summary)
    return vessels.map((v) => this.upsertTarget(node, v.name, v))
  }

  recordNode(address: string, summary: NodeSummary): NodeRecord {
    const old = this.nodes.get(summary.peerId)
    const node: NodeRecord = {
      peerId: summary.peerId,
      address,
      short: old?.short ?? this.shortFor(summary.peerId),
      ip: summary.ip,
      hostPort: hostPortOf(address),
      updatedAt: Date.now(),
    }
    this.nodes.set(node.peerId, node)
    return node
  }

  private shortFor(peerId: string): string {
    const taken = new Set([...this.nodes.values()].map((n) => n.short))
    for (let n = SHORT_ID_LENGTH; n < peerId.length; n += 4) {
      const short = peerId.slice(-n)
      if (!taken.has(short)) return short
    }
    return peerId
  }

  upsertTarget(node: NodeRecord, vessel: string, info: VesselSummary | null): VesselTarget {
    const longName = `${node.short}:${vessel}`
    const old = this.targets.get(longName)
    const target: VesselTarget = {
      id: old?.id ?? this.nextId++,
      longName,
      peerId: node.peerId,
      vessel,
      info: info ?? old?.info ?? null,
    }
    this.targets.set(longName, target)
    return target
  }

  /** Forgets a vessel everywhere. */
  removeTarget(longName: string): void {
    this.targets.delete(longName)
    for (const members of this.groups.values()) members.delete(longName)
  }

  nodeOf(target: VesselTarget): NodeRecord {
    const node = this.nodes.get(target.peerId)
    if (!node) throw new Error(`no node record for ${target.longName}`)
    return node
  }

  // ---- names ----

  /** Is `name` a target (vessel long name, %N, %all, or group)? */
  isTarget(name: string): boolean {
    try {
      this.resolve(name)
      return true
    } catch {
      return false
    }
  }

  /** The vessel for one name: long name (short or full peer id), host:port:vessel, or %N. */
  findVessel(name: string): VesselTarget | undefined {
    const direct = this.targets.get(name)
    if (direct) return direct
    if (/^%[0-9]+$/.test(name)) {
      const id = Number(name.slice(1))
      return [...this.targets.values()].find((t) => t.id === id)
    }
    const cut = name.lastIndexOf(':')
    if (cut <= 0) return undefined
    const nodePart = name.slice(0, cut)
    const vessel = name.slice(cut + 1)
    const node = [...this.nodes.values()].find(
      (n) => n.peerId === nodePart || n.short === nodePart || n.hostPort === nodePart,
    )
    return node ? this.targets.get(`${node.short}:${vessel}`) : undefined
  }

  /** The vessels a target name stands for, in %N order. CommandError if it is unknown. */
  resolve(name: string): VesselTarget[] {
    if (name === ALL) return [...this.targets.values()]
    const group = this.groups.get(name)
    if (group) return [...this.targets.values()].filter((t) => group.has(t.longName))
    const vessel = this.findVessel(name)
    if (vessel) return [vessel]
    throw new CommandError(`unknown target '${name}' (a vessel name like ${this.exampleName()}, %N, a group, or %all)`)
  }

  private exampleName(): string {
    const first = this.targets.values().next().value
    return first ? first.longName : 'abc123:v1'
  }

  /** The vessels of the default target (`on`). */
  defaultVessels(): VesselTarget[] {
    if (this.target === null) throw new CommandError('no target: choose one with `on <target>` (e.g. `on %all`)')
    const vessels = this.resolve(this.target)
    if (vessels.length === 0) throw new CommandError(`target '${this.target}' has no vessels (contact a node first)`)
    return vessels
  }

  /** Names a user can type as targets, for completion and `show targets`. */
  targetNames(): string[] {
    return [ALL, ...this.groups.keys(), ...this.targets.keys(), ...[...this.targets.values()].map((t) => `%${t.id}`)]
  }

  setGroup(name: string, longNames: Iterable<string>): void {
    checkGroupName(name)
    this.groups.set(name, new Set(longNames))
  }
}

const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/

export function checkGroupName(name: string): void {
  if (!GROUP_NAME.test(name))
    throw new CommandError(`invalid group name '${name}' (letters, digits, _ . -, starting with a letter)`)
}

/** `ip:port` of a /ip4|ip6|dns/…/tcp/… multiaddr, or null. */
export function hostPortOf(address: string): string | null {
  const m = /^\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/([0-9]+)/.exec(address)
  return m ? `${m[1]}:${m[2]}` : null
}
