// Setting a node up (`flotilla node init`): its libp2p identity and owner key in the keys folder, the donation
// carved into vessels, the listen addresses and the vessels' IP. All of it is stored in one batch: the `config`
// sublevel's `node` entry and the vessel table.
import { mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { NodeError } from '../protocol/errors.js'
import { isValidIp } from '../runtime/api/validate.js'
import { DEFAULT_LOG_BYTES } from '../runtime/ring-log.js'
import { isKeyPath, loadPublicKeyRef } from '../keys/key-ref.js'
import {
  KeyFileError,
  generateKeyFiles,
  keyFilePaths,
  loadPrivateKey,
  loadPublicKey,
  publicKeyText,
  type Ed25519PrivateKey,
} from '../keys/key-files.js'
import { carveDonation, measureHost } from './donation.js'
import { DEFAULT_LISTEN, type NodePaths } from './node-paths.js'
import type { SandboxUserSetting } from './sandbox-user.js'
import type { JsonValue, StoreChange, VesselRecord, VesselStore } from './vessel-store.js'

export const NODE_VERSION = '0.1.0'
/** The largest vessel log: ReadVesselLog answers all of it, and an answer is at most MAX_MESSAGE_BYTES. */
export const MAX_LOG_BYTES = 8 * 1024 * 1024
export const NODE_KEY_NAME = 'node'
export const DEFAULT_OWNER_KEY_NAME = 'owner'
export const DEFAULT_DONATION_PERCENT = 10
const CONFIG_KEY = 'node'

export interface NodeConfig {
  version: string
  /** peer id of keys/node.privatekey when the node was set up; a different key is refused at start */
  peerId: string
  /** the node owner's key text (the owner of the vessels made at init, or their donor when they went to a pool) */
  ownerKey: string
  /** the pool the vessels were donated to at init (`node init --pool`): its address, told at every start */
  pool?: PoolDonation
  /** the vessels' IP (getmyip) */
  ip: string
  listen: string[]
  donatePercent: number
  /** size of each vessel's ring log */
  logBytes: number
  createdAt: number
  /** DHT advertising and peer discovery; absent in nodes set up before discovery existed (defaults apply) */
  discovery?: DiscoveryConfig
  /** who the sandbox host runs as when the node manager is root; absent: nobody:nogroup */
  sandboxUser?: SandboxUserSetting
}

export interface DiscoveryConfig {
  /** multiaddrs (with /p2p/<peerId>) of DHT nodes to join through */
  bootstrap: string[]
  /** find peers on the LAN by multicast DNS */
  mdns: boolean
  /** how long other nodes keep our announces, seconds (Seattle: 750) */
  ttlS: number
  /** how often we re-announce, seconds (Seattle: 300); at most ttlS / 2 */
  refreshS: number
}

export const DEFAULT_ADVERTISE_TTL_S = 750
export const DEFAULT_ADVERTISE_REFRESH_S = 300

/**
 * The discovery settings in effect: `stored` (or the defaults) with `override` on top. A TTL given without a
 * refresh period brings the refresh down to TTL / 2 if needed. E_USAGE for a bad address or period.
 */
export function discoveryConfig(
  stored: Partial<DiscoveryConfig> | undefined,
  override: Partial<DiscoveryConfig> = {},
): DiscoveryConfig {
  const ttlS = override.ttlS ?? stored?.ttlS ?? DEFAULT_ADVERTISE_TTL_S
  const refreshGiven = override.refreshS ?? (override.ttlS === undefined ? stored?.refreshS : undefined)
  const refreshS = refreshGiven ?? Math.min(DEFAULT_ADVERTISE_REFRESH_S, ttlS / 2)
  if (!(Number.isFinite(ttlS) && ttlS > 0))
    throw new NodeError('E_USAGE', `the advertise TTL must be a number of seconds > 0, not ${ttlS}`)
  if (!(Number.isFinite(refreshS) && refreshS > 0))
    throw new NodeError('E_USAGE', `the advertise refresh must be a number of seconds > 0, not ${refreshS}`)
  if (refreshS > ttlS / 2) {
    throw new NodeError(
      'E_USAGE',
      `the advertise refresh (${refreshS} s) must be at most half the advertise TTL (${ttlS} s), or records expire between announces`,
    )
  }
  const bootstrap = [...new Set(override.bootstrap ?? stored?.bootstrap ?? [])]
  for (const address of bootstrap) checkBootstrap(address)
  return { bootstrap, mdns: override.mdns ?? stored?.mdns ?? false, ttlS, refreshS }
}

/** E_USAGE unless `address` is a multiaddr ending in /p2p/<peerId>. */
export function checkBootstrap(address: string): void {
  let ok: boolean
  try {
    ok = multiaddr(address)
      .getComponents()
      .some((c) => c.name === 'p2p')
  } catch (err) {
    throw new NodeError(
      'E_USAGE',
      `bootstrap address '${address}' is not a multiaddr (like /ip4/10.0.0.5/tcp/1224/p2p/12D3KooW…)`,
      { cause: err },
    )
  }
  if (!ok)
    throw new NodeError(
      'E_USAGE',
      `bootstrap address '${address}' must end with /p2p/<peer id> (the other node prints it at start)`,
    )
}

/** A donation at init: the pool's key owns the new vessels, whose owner information names the donor. */
export interface PoolDonation {
  /** the pool's multiaddr */
  address: string
  /** the pool's public key text */
  key: string
}

export interface InitOptions {
  /** share of the host to donate, 1..100 (default 10) */
  donatePercent?: number
  /** the owner key: a name in the keys folder, created if missing (default "owner"), or a path to an existing key */
  ownerKeyName?: string
  /** number of vessels (default one per 10 %) */
  vessels?: number
  listen?: string[]
  ip?: string
  logBytes?: number
  discovery?: Partial<DiscoveryConfig>
  sandboxUser?: SandboxUserSetting
  /** give the new vessels to a pool; `ownerInfo` makes their owner information from the donor's (the owner's) key
   *  (the caller's format: the node knows nothing of pools) */
  pool?: PoolDonation & { ownerInfo(donorKey: string): string }
}

export async function loadConfig(store: VesselStore): Promise<NodeConfig | undefined> {
  const value = await store.getConfig(CONFIG_KEY)
  return value === undefined ? undefined : (value as unknown as NodeConfig)
}

/** The node's libp2p identity `<keys>/node.privatekey`, created on first use. */
export async function loadOrCreateNodeKey(keysDir: string): Promise<Ed25519PrivateKey> {
  const { privateKeyFile } = keyFilePaths(keysDir, NODE_KEY_NAME)
  if (existsSync(privateKeyFile)) return loadPrivateKey(privateKeyFile)
  return (await generateKeyFiles(keysDir, NODE_KEY_NAME)).privateKey
}

/** The owner's public key text: an existing key named by path (e.g. another node's owner, keys/owner), or
 *  `<keys>/<name>.publickey`, made as a new pair of that name if missing. */
async function ownerKeyText(keysDir: string, ref: string): Promise<string> {
  try {
    if (isKeyPath(ref)) return publicKeyText(await loadPublicKeyRef(ref, keysDir))
    const { publicKeyFile } = keyFilePaths(keysDir, ref)
    if (existsSync(publicKeyFile)) return publicKeyText(await loadPublicKey(publicKeyFile))
    return (await generateKeyFiles(keysDir, ref)).publicKeyText
  } catch (err) {
    if (err instanceof KeyFileError) throw new NodeError('E_USAGE', `owner key: ${err.message}`, { cause: err })
    throw err
  }
}

/** The vessels' IP: --ip, else the IPv4 of the first listen address that is a concrete address, else 127.0.0.1. */
export function vesselIp(listen: readonly string[], ip?: string): string {
  if (ip !== undefined) {
    if (!isValidIp(ip)) throw new NodeError('E_USAGE', `--ip '${ip}' is not a dotted-quad IPv4 address`)
    return ip
  }
  for (const addr of listen) {
    const m = /^\/ip4\/(\d+\.\d+\.\d+\.\d+)\//.exec(addr)
    if (m && m[1] !== '0.0.0.0') return m[1]!
  }
  return '127.0.0.1'
}

/** Sets the node up in an empty store; E_STATE if it is set up already. */
export async function initNode(
  store: VesselStore,
  paths: NodePaths,
  keysDir: string,
  options: InitOptions = {},
): Promise<NodeConfig> {
  if ((await loadConfig(store)) !== undefined) {
    throw new NodeError('E_STATE', `${paths.data} holds a node already (use --force to start over)`)
  }
  const nodeKey = await loadOrCreateNodeKey(keysDir)
  const ownerKey = await ownerKeyText(keysDir, options.ownerKeyName ?? DEFAULT_OWNER_KEY_NAME)
  const listen = options.listen ?? [DEFAULT_LISTEN]
  const donatePercent = options.donatePercent ?? DEFAULT_DONATION_PERCENT
  const logBytes = options.logBytes ?? DEFAULT_LOG_BYTES
  if (!Number.isSafeInteger(logBytes) || logBytes < 2048 || logBytes > MAX_LOG_BYTES) {
    throw new NodeError(
      'E_USAGE',
      `the log size must be 2048 to ${MAX_LOG_BYTES} bytes (ReadVesselLog answers the whole log in one message)`,
    )
  }
  const carved = carveDonation(await measureHost(paths.data), { percent: donatePercent, vessels: options.vessels })
  const now = Date.now()
  const config: NodeConfig = {
    version: NODE_VERSION,
    peerId: peerIdFromPrivateKey(nodeKey).toString(),
    ownerKey,
    ip: vesselIp(listen, options.ip),
    listen,
    donatePercent,
    logBytes,
    createdAt: now,
    discovery: discoveryConfig(undefined, options.discovery),
    ...(options.sandboxUser ? { sandboxUser: { ...options.sandboxUser } } : {}),
    ...(options.pool ? { pool: { address: options.pool.address, key: options.pool.key } } : {}),
  }
  const vessels: VesselRecord[] = carved.map((restrictions, i) => ({
    name: `v${i + 1}`,
    ownerKey: options.pool?.key ?? ownerKey,
    userKeys: [],
    ownerInfo: options.pool?.ownerInfo(ownerKey) ?? '',
    advertise: true,
    status: 'Fresh',
    restrictions,
    createdAt: now,
  }))
  const changes: StoreChange[] = [
    ...vessels.map((vessel): StoreChange => ({ type: 'putVessel', vessel })),
    { type: 'putConfig', key: CONFIG_KEY, value: JSON.parse(JSON.stringify(config)) as JsonValue },
  ]
  await store.apply(changes)
  for (const v of vessels) await mkdir(`${paths.files}/${v.name}`, { recursive: true })
  return config
}

/** Loads the node key and checks it is the one the node was set up with. */
export async function loadNodeKey(keysDir: string, config: NodeConfig): Promise<Ed25519PrivateKey> {
  const { privateKeyFile } = keyFilePaths(keysDir, NODE_KEY_NAME)
  if (!existsSync(privateKeyFile)) {
    throw new NodeError(
      'E_USAGE',
      `no node key ${privateKeyFile}: this node (${config.peerId}) was set up with another --keys folder`,
    )
  }
  const key = await loadPrivateKey(privateKeyFile)
  const peerId = peerIdFromPrivateKey(key).toString()
  if (peerId !== config.peerId) {
    throw new NodeError(
      'E_USAGE',
      `${privateKeyFile} is the key of ${peerId}, but this data folder belongs to ${config.peerId}`,
    )
  }
  return key
}
