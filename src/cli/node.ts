// `flotilla node init|start|status|call`: set up, run and inspect a node manager. The node manager, LevelDB and the
// libp2p client are loaded by the commands that use them: `node call` runs often (scripts, tests) and needs neither
// the node manager nor the store.
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { Command } from 'commander'
import { NodeError } from '../protocol/errors.js'
import type { NodeSummary } from '../protocol/results.js'
import {
  DEFAULT_ADVERTISE_REFRESH_S,
  DEFAULT_ADVERTISE_TTL_S,
  discoveryConfig,
  initNode,
  loadConfig,
  vesselIp,
  type DiscoveryConfig,
  type InitOptions,
} from '../node/node-config.js'
import { DEFAULT_DATA_DIR, DEFAULT_KEYS_DIR, DEFAULT_LISTEN, nodePaths } from '../node/node-paths.js'
import { LOG_LEVELS, isLogLevel, type LogLevel } from '../log/logger.js'
import { errorChain } from '../node/node-log.js'
import { parseSandboxUser, type SandboxUserSetting } from '../node/sandbox-user.js'
import { INTERNAL_ERROR_CODE } from './internal-error.js'
import { EXIT_REFUSED, EXIT_UNREACHABLE, registerNodeCall } from './node-call.js'
import { registerNodeLog } from './node-log.js'
import { nodeText, toJson } from './node-format.js'
import { UsageError, keyErrorsAsUsage, positiveNumber } from './usage-error.js'
import type { NatSettings } from '../node/node-manager.js'
import { DEFAULT_RELAY_LIMITS, RELAY_RESERVE_MODES, type RelayReserve } from '../p2p/relay-limits.js'
import { loadKeyPairRef } from '../keys/key-ref.js'

interface CommonOptions {
  data: string
  keys: string
  json?: boolean
}
interface DiscoveryCliOptions {
  bootstrap?: string[]
  mdns?: boolean
  advertiseTtl?: string
  advertiseRefresh?: string
}
interface InitCliOptions extends CommonOptions, DiscoveryCliOptions {
  donate: string
  owner: string
  vessels?: string
  listen?: string[]
  ip?: string
  force?: boolean
  logSize?: string
  sandboxUser?: string
  pool?: string
}
interface StartCliOptions extends CommonOptions, DiscoveryCliOptions {
  listen?: string[]
  owner?: string
  sandboxUser?: string
  logLevel: string
  quiet?: boolean
  relayReserve: string
  relay: boolean
  relayReservations?: string
  relayMb?: string
  relayMinutes?: string
  upnp?: boolean
  warmUp: boolean
}

/** The NAT settings given to `node start`: E_USAGE (exit 2) for a bad one. */
function natFlags(o: StartCliOptions): Partial<NatSettings> {
  if (!(RELAY_RESERVE_MODES as readonly string[]).includes(o.relayReserve))
    throw new UsageError(`--relay-reserve must be one of ${RELAY_RESERVE_MODES.join(', ')}, not '${o.relayReserve}'`)
  const reservations = count(o.relayReservations, '--relay-reservations')
  const mb = count(o.relayMb, '--relay-mb')
  const minutes = count(o.relayMinutes, '--relay-minutes')
  if (!o.relay && (reservations ?? mb ?? minutes) !== undefined)
    throw new UsageError('--relay-reservations, --relay-mb and --relay-minutes set the relay that --no-relay turns off')
  return {
    reserve: o.relayReserve as RelayReserve,
    upnp: o.upnp === true,
    relayServer: o.relay
      ? {
          ...DEFAULT_RELAY_LIMITS,
          ...(reservations === undefined ? {} : { reservations }),
          ...(mb === undefined ? {} : { connectionBytes: mb * 1024 * 1024 }),
          ...(minutes === undefined ? {} : { connectionMs: minutes * 60_000 }),
        }
      : false,
  }
}

function logLevel(text: string): LogLevel {
  if (!isLogLevel(text)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not '${text}'`)
  return text
}

const SANDBOX_USER_HELP = 'when run as root, the user[:group] the sandbox host runs as (default nobody:nogroup)'
const sandboxUserFlag = (text: string | undefined): { sandboxUser?: SandboxUserSetting } => {
  if (text === undefined) return {}
  try {
    return { sandboxUser: parseSandboxUser(text) }
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** Written while a node runs, so `node status` can ask it: <data>/node.json */
const runtimeFile = (data: string): string => join(nodePaths(data).data, 'node.json')

function percent(text: string): number {
  const n = Number(text.replace(/%$/, ''))
  if (!Number.isFinite(n) || n < 1 || n > 100) throw new UsageError(`--donate must be 1%..100%, not '${text}'`)
  return n
}

function count(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number ≥ 1, not '${text}'`)
  return n
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

function collectListen(value: string, previous: string[] | undefined): string[] {
  try {
    multiaddr(value)
  } catch {
    throw new UsageError(`--listen '${value}' is not a multiaddr (like ${DEFAULT_LISTEN})`)
  }
  return collect(value, previous)
}

function seconds(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${what} must be a number of seconds > 0, not '${text}'`)
  return n
}

/** The discovery settings given on the command line (only those given: the rest come from the stored config). */
function discoveryFlags(o: DiscoveryCliOptions): Partial<DiscoveryConfig> {
  const d: Partial<DiscoveryConfig> = {}
  if (o.bootstrap !== undefined) d.bootstrap = o.bootstrap
  if (o.mdns !== undefined) d.mdns = o.mdns
  const ttl = seconds(o.advertiseTtl, '--advertise-ttl')
  const refresh = seconds(o.advertiseRefresh, '--advertise-refresh')
  if (ttl !== undefined) d.ttlS = ttl
  if (refresh !== undefined) d.refreshS = refresh
  return d
}

const discoveryOptionsOf = (c: Command): Command =>
  c
    .option('--bootstrap <multiaddr>', "another node's DHT address, …/p2p/<peer id> (repeatable)", collect)
    .option('--mdns', 'find other nodes on the LAN by multicast DNS')
    .option('--no-mdns', 'no multicast DNS (the default)')
    .option(
      '--advertise-ttl <s>',
      `how long other nodes keep this node's announces (default ${DEFAULT_ADVERTISE_TTL_S})`,
    )
    .option(
      '--advertise-refresh <s>',
      `how often this node re-announces its keys (default ${DEFAULT_ADVERTISE_REFRESH_S}, at most TTL/2)`,
    )

/** The address other nodes (and `flotilla browse --bootstrap`) join the DHT through. */
function bootstrapLine(addresses: string[]): string {
  const address = addresses.find((a) => !a.includes('/ip4/0.0.0.0/')) ?? addresses[0]
  return address === undefined ? '' : `DHT address (give it to other nodes and to browse as --bootstrap): ${address}\n`
}

/** NodeErrors that are the user's doing become usage errors (exit 2). */
function asUsage(err: unknown): never {
  if (err instanceof NodeError && (err.code === 'E_USAGE' || err.code === 'E_STATE' || err.code === 'E_QUOTA'))
    throw new UsageError(err.message)
  throw err
}

/** A node running from `data` is a usage mistake for init and start: both would fight it for the data folder. */
function refuseIfRunning(data: string): void {
  const running = readRuntime(data)
  if (running !== undefined)
    throw new UsageError(`a node is already running from ${nodePaths(data).data} (pid ${running.pid})`)
}

/** If `err` says LevelDB's lock on the state folder is held: by a running node (named, if it wrote its pid) or by
 *  another command, a usage mistake. */
function refuseIfLocked(err: unknown, data: string): void {
  const code = (e: unknown): unknown => (e as { code?: unknown } | null)?.code
  if (code(err) === 'LEVEL_DATABASE_NOT_OPEN' && code((err as { cause?: unknown }).cause) === 'LEVEL_LOCKED') {
    refuseIfRunning(data)
    throw new UsageError(`${nodePaths(data).data} is in use by another flotilla command (a node that is starting?)`)
  }
}

/** Registers `node init|start|status|call`; answers the `node` command so that other subcommands (top) can join it. */
export function registerNode(program: Command): Command {
  const node = program.command('node').description('Run a node manager: donate a share of this machine as vessels')
  const common = (c: Command): Command =>
    c
      .option('--data <dir>', 'data folder (vessels, state, logs)', DEFAULT_DATA_DIR)
      .option('--keys <dir>', 'keys folder (node identity, owner key)', DEFAULT_KEYS_DIR)

  discoveryOptionsOf(common(node.command('init')))
    .description('Set up a node: identity, owner key, donation carved into vessels')
    .option('--donate <percent>', 'share of this machine to donate', '10%')
    .option(
      '--owner <name|path>',
      'owner key of the vessels: a name in --keys (created if missing), or a path to an existing key',
      'owner',
    )
    .option('--vessels <n>', 'number of vessels (default one per 10 %)')
    .option('--listen <multiaddr>', `address to listen on (repeatable; default ${DEFAULT_LISTEN})`, collectListen)
    .option('--ip <ip>', "the vessels' IP (getmyip); default from the listen address")
    .option('--log-size <bytes>', 'size of each vessel log ring (default 1 MiB)')
    .option('--sandbox-user <user[:group]>', `${SANDBOX_USER_HELP}; stored`)
    .option(
      '--pool <multiaddr>',
      'donate the vessels to a pool: its key owns them, the owner key is their donor; told at every start',
    )
    .option('--force', 'start over: delete the vessels, their files and logs (keys are kept)')
    .option('--json', 'print the result as JSON')
    .action(async (options: InitCliOptions) => {
      const paths = nodePaths(options.data)
      refuseIfRunning(options.data)
      const init: InitOptions = {
        donatePercent: percent(options.donate),
        ownerKeyName: options.owner,
        vessels: count(options.vessels, '--vessels'),
        listen: options.listen,
        ip: options.ip,
        logBytes: count(options.logSize, '--log-size'),
        discovery: discoveryFlags(options),
        ...sandboxUserFlag(options.sandboxUser),
        ...(options.pool === undefined ? {} : { pool: await poolDonation(options.pool) }),
      }
      if (options.force) {
        // a mistake in the options must not cost the node it was meant to replace
        try {
          vesselIp(options.listen ?? [DEFAULT_LISTEN], options.ip)
          discoveryConfig(undefined, init.discovery)
        } catch (err) {
          asUsage(err)
        }
        for (const dir of [paths.state, paths.files, paths.logs, paths.tmp])
          rmSync(dir, { recursive: true, force: true })
      }
      const [{ VesselStore }, { vesselSummary }] = await Promise.all([
        import('../node/vessel-store.js'),
        import('../node/handlers/queries.js'),
      ])
      const store = await VesselStore.open(paths.state).catch((err: unknown) => {
        refuseIfLocked(err, options.data)
        throw new UsageError(`cannot open ${paths.state}: ${(err as Error).message}`)
      })
      try {
        const config = await initNode(store, paths, options.keys, init).catch(asUsage)
        const vessels = (await store.list()).map(vesselSummary)
        if (options.json) process.stdout.write(toJson({ ...config, dataDir: paths.data, vessels }) + '\n')
        else
          process.stdout.write(
            `set up node ${config.peerId} in ${paths.data} (donating ${config.donatePercent} %)\n` +
              nodeText({
                version: config.version,
                peerId: config.peerId,
                addresses: config.listen,
                ip: config.ip,
                vessels,
              }),
          )
      } finally {
        await store.close()
      }
    })

  discoveryOptionsOf(common(node.command('start')))
    .description('Run the node manager (sets it up with the defaults on first start); Ctrl-C stops it')
    .option('--listen <multiaddr>', 'address to listen on (repeatable; default the one given at init)', collectListen)
    .option(
      '--owner <name|path>',
      'when this start sets the node up: its owner key, as for init (default owner in --keys)',
    )
    .option('--sandbox-user <user[:group]>', `${SANDBOX_USER_HELP}; for this run, over the one given at init`)
    .option(
      '--log-level <level>',
      `what the node logs to <data>/logs/node.log and stderr: ${LOG_LEVELS.join(', ')}`,
      'info',
    )
    .option('--quiet', 'only errors on stderr (the node log keeps --log-level; read it with flotilla node log)')
    .option(
      '--relay-reserve <when>',
      'reserve a slot on a relay (another node) to be reachable through it: auto (when peers see a NAT), always, never',
      'auto',
    )
    .option('--no-relay', 'do not serve other nodes behind NAT as their relay')
    .option(
      '--relay-reservations <n>',
      `as a relay: nodes holding a slot at once (default ${DEFAULT_RELAY_LIMITS.reservations})`,
    )
    .option(
      '--relay-mb <n>',
      `as a relay: MiB one relayed connection may carry (default ${DEFAULT_RELAY_LIMITS.connectionBytes / 1024 / 1024})`,
    )
    .option(
      '--relay-minutes <n>',
      `as a relay: minutes one relayed connection may last (default ${DEFAULT_RELAY_LIMITS.connectionMs / 60_000})`,
    )
    .option('--upnp', 'ask the gateway (UPnP / NAT-PMP) to forward a port to this node')
    .option(
      '--no-warm-up',
      "skip the sandbox engine's warm-up when the sandbox host starts (about a second of a core; the first vessels run slower)",
    )
    .option('--json', 'print the started node as one JSON line')
    .action(async (options: StartCliOptions) => {
      const discovery = discoveryFlags(options)
      const nat = natFlags(options)
      const level = logLevel(options.logLevel)
      refuseIfRunning(options.data)
      const init = options.owner === undefined ? {} : { init: { ownerKeyName: options.owner } }
      const { NodeManager } = await import('../node/node-manager.js')
      const nm = await NodeManager.start({
        dataDir: options.data,
        keysDir: options.keys,
        listen: options.listen,
        discovery,
        nat,
        ...init,
        log: { level, stderr: options.quiet ? 'error' : level },
        ...sandboxUserFlag(options.sandboxUser),
        engineWarmUp: options.warmUp,
      }).catch((err: unknown) => {
        refuseIfLocked(err, options.data)
        return asUsage(err)
      })
      const summary = await nm.summary()
      const d = nm.discoverySettings
      writeFileSync(
        runtimeFile(options.data),
        JSON.stringify({ pid: process.pid, peerId: nm.peerId, addresses: nm.addresses }) + '\n',
      )
      if (options.json) process.stdout.write(toJson({ ...summary, discovery: d }) + '\n')
      else {
        if (nm.initialized) process.stdout.write(`set up a new node in ${nm.dataDir} (keys in ${options.keys})\n`)
        const joined = d.bootstrap.length > 0 ? `joining through ${d.bootstrap.join(', ')}` : 'no bootstrap nodes'
        process.stdout.write(
          nodeText(summary) +
            bootstrapLine(nm.addresses) +
            `discovery: ${joined}; mDNS ${d.mdns ? 'on' : 'off'}; announces live ${d.ttlS} s, renewed every ${d.refreshS} s\n` +
            'node manager running; Ctrl-C to stop\n',
        )
      }
      if (nm.config.pool !== undefined) {
        const { PoolAnnouncer } = await import('./pool-announcer.js')
        const announcer = new PoolAnnouncer(nm.config.pool.address, options.keys, nm.log)
        announcer.announce(nm.addresses)
        nm.onAddressesChange((addresses) => announcer.announce(addresses))
      }
      let stopping = false
      const stop = (): void => {
        if (stopping) {
          // a second Ctrl-C: the vessels' states are stored already, so leaving now loses nothing
          nm.log.warn('stopped without waiting')
          process.exit(130)
        }
        stopping = true
        nm.log.info('stopping')
        nm.stop()
          .then(
            () => 0,
            (err: unknown) => {
              nm.log.error(`could not stop cleanly: ${err instanceof Error ? err.message : String(err)}`, {
                detail: errorChain(err),
              })
              return INTERNAL_ERROR_CODE
            },
          )
          .then(
            (code) => {
              rmSync(runtimeFile(options.data), { force: true })
              process.exit(code)
            },
            () => undefined,
          )
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })

  common(node.command('status'))
    .description("Print the node's vessels (asks the running node, or reads the data folder)")
    .option('--json', 'print as JSON')
    .action(async (options: CommonOptions) => {
      const summary = await status(options.data)
      process.stdout.write(options.json ? toJson(summary) + '\n' : nodeText(summary))
      process.exit(0)
    })

  common(node.command('donate'))
    .description("Give a running node's vessels to a pool (ChangeOwner to the pool's key), and tell the pool")
    .requiredOption('--pool <multiaddr>', 'the pool, as pool start prints it')
    .option('--key <name|path>', 'the owner key of the vessels (their donor)', 'owner')
    .option('--vessels <list>', 'the vessels to give, e.g. v1,v2 (default every vessel the key owns)')
    .option('--node <multiaddr>', 'the node (default the one running from --data)')
    .option('--json', 'print the result as JSON')
    .option('--timeout <seconds>', 'give up on each request after this long', '30')
    .addHelpText(
      'after',
      '\nExit status: 0 donated, 1 the node or the pool refused (E_CODE: message), 2 usage mistake, 3 unreachable.',
    )
    .action(async (options: DonateCliOptions) => {
      process.exit(await donate(options))
    })

  registerNodeCall(node)
  registerNodeLog(node)
  return node
}

interface DonateCliOptions extends CommonOptions {
  pool: string
  key: string
  vessels?: string
  node?: string
  timeout: string
}

/** The pool's key for `init --pool` (asked of the pool); an unreachable pool is a usage mistake at init. */
async function poolDonation(
  address: string,
): Promise<{ address: string; key: string; ownerInfo(donorKey: string): string }> {
  const [{ poolKeyOf }, { donorInfo }] = await Promise.all([
    import('../client/donate.js'),
    import('../pool/pool-calls.js'),
  ])
  try {
    return { address, key: await poolKeyOf(address, { timeoutMs: 30_000 }), ownerInfo: donorInfo }
  } catch (err) {
    if (err instanceof NodeError)
      throw new UsageError(`cannot ask the pool ${address} for its key: ${err.code}: ${err.message}`)
    throw err
  }
}

async function donate(options: DonateCliOptions): Promise<number> {
  const timeoutMs = positiveNumber(options.timeout, '--timeout', false)! * 1000
  const address = options.node ?? readRuntime(options.data)?.addresses[0]
  if (address === undefined)
    throw new UsageError(`no node runs from ${nodePaths(options.data).data}; start it, or give --node <multiaddr>`)
  const owner = await keyErrorsAsUsage(() => loadKeyPairRef(options.key, options.keys))
  const vessels = options.vessels?.split(',').map((v) => v.trim())
  const { donateVessels } = await import('../client/donate.js')
  try {
    const result = await donateVessels(address, options.pool, owner, { vessels, timeoutMs })
    process.stdout.write(
      options.json
        ? JSON.stringify(result) + '\n'
        : `gave ${result.vessels.join(', ') || 'no vessels'} to the pool; it holds ${result.announce.vessels} vessel${result.announce.vessels === 1 ? '' : 's'} of this node\n`,
    )
    return 0
  } catch (err) {
    if (!(err instanceof NodeError)) throw err
    if (err.code === 'E_USAGE') throw new UsageError(err.message)
    if (options.json) process.stdout.write(JSON.stringify({ error: err.code, message: err.message }) + '\n')
    process.stderr.write(`${err.code}: ${err.message}\n`)
    return err.code === 'E_UNREACHABLE' || err.code === 'E_TIMEOUT' ? EXIT_UNREACHABLE : EXIT_REFUSED
  }
}

async function status(data: string): Promise<NodeSummary> {
  const paths = nodePaths(data)
  const running = readRuntime(data)
  if (running !== undefined) {
    try {
      const { NodeClient } = await import('../client/node-client.js')
      const client = await NodeClient.connect(running.addresses[0] ?? '', { timeoutMs: 5000 })
      try {
        return await client.getVessels()
      } finally {
        await client.close()
      }
    } catch (err) {
      if (!(err instanceof NodeError)) throw err
      // a stale node.json (the node was killed): read the store instead
    }
  }
  if (!existsSync(paths.state))
    throw new UsageError(`${paths.data} holds no node; run flotilla node init or flotilla node start`)
  const [{ VesselStore }, { vesselSummary }] = await Promise.all([
    import('../node/vessel-store.js'),
    import('../node/handlers/queries.js'),
  ])
  const store = await VesselStore.open(paths.state).catch(() => {
    throw new UsageError(`${paths.state} is in use by a running node that does not answer`)
  })
  try {
    const config = await loadConfig(store)
    if (config === undefined)
      throw new UsageError(`${paths.data} holds no node; run flotilla node init or flotilla node start`)
    const vessels = (await store.list()).map(vesselSummary)
    return { version: config.version, peerId: config.peerId, addresses: [], ip: config.ip, vessels }
  } finally {
    await store.close()
  }
}

function readRuntime(data: string): { pid: number; addresses: string[] } | undefined {
  try {
    const value = JSON.parse(readFileSync(runtimeFile(data), 'utf8')) as { pid?: unknown; addresses?: unknown }
    if (typeof value.pid !== 'number' || !Array.isArray(value.addresses)) return undefined
    process.kill(value.pid, 0)
    return { pid: value.pid, addresses: value.addresses.filter((a): a is string => typeof a === 'string') }
  } catch {
    if (existsSync(runtimeFile(data)))
      try {
        unlinkSync(runtimeFile(data))
      } catch {
        /* not ours to worry about */
      }
    return undefined
  }
}
