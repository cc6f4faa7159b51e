// `flotilla pool start|acquire|list|renew|release|status`: run a donation pool, and get vessels from one. The pool,
// LevelDB and libp2p are loaded by the commands that use them. Exit codes: 0 ok, 1 refused by the pool (E_CODE:
// message), 2 usage mistake, 3 pool unreachable or no answer.
import { existsSync, readFileSync } from 'node:fs'
import { Command } from 'commander'
import type { PoolClient, PoolResults } from '../client/pool-client.js'
import { publicKeyText, type KeyPair } from '../keys/key-files.js'
import { loadKeyPairRef, loadPublicKeyRef } from '../keys/key-ref.js'
import { NodeError } from '../protocol/errors.js'
import type { Lease, PoolCallArgs, PoolCallName, PoolSettings } from '../pool/pool-calls.js'
import {
  DEFAULT_POOL_DATA_DIR,
  DEFAULT_POOL_LISTEN,
  DEFAULT_POOL_SETTINGS,
  parseDuration,
  poolPaths,
} from '../pool/pool-config.js'
import { NodeLog } from '../node/node-log.js'
import { DEFAULT_KEYS_DIR } from '../node/node-paths.js'
import { INTERNAL_ERROR_CODE } from './internal-error.js'
import { EXIT_REFUSED, EXIT_UNREACHABLE } from './node-call.js'
import { UsageError, keyErrorsAsUsage, positiveNumber } from './usage-error.js'

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]
const DEFAULT_ADDRESS_FILE = poolPaths(DEFAULT_POOL_DATA_DIR).address

interface ClientOptions {
  key: string
  keys: string
  pool?: string
  json?: boolean
  timeout: string
}

interface StartOptions {
  data: string
  keys: string
  key?: string
  listen?: string[]
  bootstrap?: string[]
  mdns?: boolean
  base?: string
  perDonated?: string
  lease?: string
  allow?: string[]
  checkInterval: string
  http?: string
  json?: boolean
  quiet?: boolean
}

function wholeNumber(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${what} must be a whole number ≥ 0, not '${text}'`)
  return n
}

/** The pool's address: --pool, else the address file a pool started from the default data folder wrote. */
function poolAddress(given: string | undefined): string {
  if (given !== undefined) return given
  if (existsSync(DEFAULT_ADDRESS_FILE)) return readFileSync(DEFAULT_ADDRESS_FILE, 'utf8').trim()
  throw new UsageError(`give --pool <multiaddr> (no pool address in ${DEFAULT_ADDRESS_FILE})`)
}

const clientOptions = (c: Command): Command =>
  c
    .option('--pool <multiaddr>', `the pool (default the address in ${DEFAULT_ADDRESS_FILE}, written by pool start)`)
    .requiredOption('--key <name|path>', 'your key pair: a name in --keys, or a path')
    .option('--keys <dir>', 'folder of key files', DEFAULT_KEYS_DIR)
    .option('--json', 'print the answer as JSON')
    .option('--timeout <seconds>', 'give up after this long', '30')
    .addHelpText(
      'after',
      '\nExit status: 0 ok, 1 the pool refused (prints E_CODE: message), 2 usage mistake, 3 pool unreachable.',
    )

/** One signed call to the pool; answers the process's exit code. `shape` turns the answer into what is printed (as
 *  JSON with --json, else by `text`); a NodeError from it is a refusal like the pool's. */
async function callPool<C extends PoolCallName, T = PoolResults[C]>(
  options: ClientOptions,
  call: C,
  args: PoolCallArgs<C>,
  text: (value: T) => string,
  shape: (value: PoolResults[C]) => T = (v) => v as unknown as T,
): Promise<number> {
  const address = poolAddress(options.pool)
  const timeoutMs = positiveNumber(options.timeout, '--timeout', false)! * 1000
  const identity: KeyPair = await keyErrorsAsUsage(() => loadKeyPairRef(options.key, options.keys))
  let client: PoolClient | undefined
  try {
    const { PoolClient } = await import('../client/pool-client.js')
    client = await PoolClient.connect(address, { identity, timeoutMs })
    const value = shape(await client.call(call, args))
    process.stdout.write(options.json ? JSON.stringify(value) + '\n' : text(value))
    return 0
  } catch (err) {
    if (!(err instanceof NodeError)) throw err
    if (err.code === 'E_USAGE' && client === undefined) throw new UsageError(err.message)
    if (options.json) process.stdout.write(JSON.stringify({ error: err.code, message: err.message }) + '\n')
    process.stderr.write(`${err.code}: ${err.message}\n`)
    return err.code === 'E_UNREACHABLE' || err.code === 'E_TIMEOUT' ? EXIT_UNREACHABLE : EXIT_REFUSED
  } finally {
    await client?.close().catch(() => undefined)
  }
}

function leaseLines(leases: readonly Lease[], none: string): string {
  if (leases.length === 0) return none + '\n'
  return (
    leases
      .map((l) => `${l.id}  until ${new Date(l.leaseEnd).toISOString()}  ${l.node}`)
      .sort()
      .join('\n') + '\n'
  )
}

const settingsText = (s: PoolSettings): string =>
  `allowance ${s.baseAllowance} + ${s.perDonated} per donated vessel; leases of ${s.leaseMs / 1000} s; ` +
  `${s.allow === null ? 'open to every key' : `${s.allow.length} allowed keys`}`

export function registerPool(program: Command): void {
  const pool = program.command('pool').description('Run a donation pool, or get vessels from one')

  pool
    .command('start')
    .description('Run a pool: donated vessels are lent to experimenters for a time; Ctrl-C stops it')
    .option('--data <dir>', 'data folder (state, address file)', DEFAULT_POOL_DATA_DIR)
    .option('--keys <dir>', 'keys folder (the pool key pool.privatekey/.publickey is made there)', DEFAULT_KEYS_DIR)
    .option('--key <name|path>', "the pool's key pair (default pool in --keys, made if missing)")
    .option('--listen <multiaddr>', `address to listen on (repeatable; default ${DEFAULT_POOL_LISTEN})`, collect)
    .option('--bootstrap <multiaddr>', "a node's DHT address, …/p2p/<peer id> (repeatable)", collect)
    .option('--mdns', 'find nodes on the LAN by multicast DNS')
    .option(
      '--base <n>',
      `vessels any allowed key may lease (first start; default ${DEFAULT_POOL_SETTINGS.baseAllowance})`,
    )
    .option('--per-donated <n>', `more per donated vessel (first start; default ${DEFAULT_POOL_SETTINGS.perDonated})`)
    .option('--lease <duration>', 'lease length: 60s, 15m, 2h, 7d or seconds (first start; default 7d)')
    .option(
      '--allow <key>',
      'only these keys (and donors) may acquire: a key name or .publickey path (repeatable)',
      collect,
    )
    .option('--check-interval <s>', 'how often nodes are checked and the DHT looked up', '30')
    .option('--http <host:port>', 'serve the web page there, e.g. 127.0.0.1:8880 (default none)')
    .option('--json', 'print the started pool as one JSON line')
    .option('--quiet', 'only errors on stderr')
    .addHelpText(
      'after',
      '\nSettings are stored at the first start; later starts keep them.\nExit status: 0 stopped cleanly, 2 usage mistake (a pool already runs from --data, address in use).',
    )
    .action(async (options: StartOptions) => {
      const settings: Partial<PoolSettings> = {}
      const base = wholeNumber(options.base, '--base')
      const perDonated = wholeNumber(options.perDonated, '--per-donated')
      if (base !== undefined) settings.baseAllowance = base
      if (perDonated !== undefined) settings.perDonated = perDonated
      try {
        if (options.lease !== undefined) settings.leaseMs = parseDuration(options.lease, '--lease')
      } catch (err) {
        throw new UsageError((err as Error).message)
      }
      if (options.allow !== undefined)
        settings.allow = await keyErrorsAsUsage(() =>
          Promise.all(options.allow!.map(async (ref) => publicKeyText(await loadPublicKeyRef(ref, options.keys)))),
        )
      const checkMs = positiveNumber(options.checkInterval, '--check-interval', false)! * 1000
      const { PoolManager } = await import('../pool/pool-manager.js')
      // the node's log without a file: the same bounded entries and escaping of what peers sent, on stderr
      const log = NodeLog.memory({ stderr: options.quiet === true ? 'error' : 'info' })
      const started = await keyErrorsAsUsage(() =>
        PoolManager.start({
          dataDir: options.data,
          keysDir: options.keys,
          key: options.key,
          listen: options.listen,
          bootstrap: options.bootstrap,
          mdns: options.mdns === true,
          settings,
          checkIntervalMs: checkMs,
          http: options.http,
          log,
        }),
      ).catch((err: unknown) => {
        const code = (e: unknown): unknown => (e as { code?: unknown } | null)?.code
        if (code(err) === 'LEVEL_DATABASE_NOT_OPEN' && code((err as { cause?: unknown }).cause) === 'LEVEL_LOCKED')
          throw new UsageError(`a pool is already running from ${poolPaths(options.data).data}`)
        if (err instanceof NodeError && err.code === 'E_USAGE') throw new UsageError(err.message)
        throw err
      })
      const given = Object.keys(settings).length > 0
      if (given && !started.initialized)
        process.stderr.write(
          'flotilla: the pool keeps the settings stored at its first start; the flags were ignored\n',
        )
      const summary = {
        peerId: started.peerId,
        key: started.key.publicKeyText,
        addresses: started.addresses,
        settings: started.settings,
        dataDir: poolPaths(options.data).data,
        http: started.httpUrl,
      }
      if (options.json) process.stdout.write(JSON.stringify(summary) + '\n')
      else
        process.stdout.write(
          `pool ${summary.peerId} running (data in ${summary.dataDir})\n` +
            summary.addresses.map((a) => `  listening on ${a}\n`).join('') +
            `  pool key: ${summary.key}\n  ${settingsText(summary.settings)}\n` +
            (summary.http === null ? '' : `  web page: ${summary.http}\n`) +
            `donate to it: flotilla node init --pool ${summary.addresses[0]}\n` +
            'pool running; Ctrl-C to stop\n',
        )
      let stopping = false
      const stop = (): void => {
        if (stopping) process.exit(130)
        stopping = true
        started.stop().then(
          () => process.exit(0),
          () => process.exit(INTERNAL_ERROR_CODE),
        )
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })

  clientOptions(
    pool
      .command('acquire')
      .description('Lease n free vessels from the pool (all of them or none)')
      .argument('<n>', 'how many vessels'),
  )
    .option('--distinct-nodes', 'each vessel on another node')
    .action(async (n: string, options: ClientOptions & { distinctNodes?: boolean }) => {
      const count = positiveNumber(n, '<n>', true)!
      process.exit(
        await callPool(options, 'Acquire', [count, options.distinctNodes === true], (l) => leaseLines(l, 'no vessels')),
      )
    })

  clientOptions(pool.command('list').description('The vessels leased to your key')).action(
    async (options: ClientOptions) => {
      process.exit(await callPool(options, 'List', [], (l) => leaseLines(l, 'no vessels leased to this key')))
    },
  )

  clientOptions(
    pool
      .command('renew')
      .description('Extend your leases by the lease length')
      .argument('[vessel]', "'all' or one vessel <peer id>:v<n>", 'all'),
  ).action(async (target: string, options: ClientOptions) => {
    process.exit(await callPool(options, 'Renew', [target], (l) => leaseLines(l, 'no vessels leased to this key')))
  })

  clientOptions(
    pool
      .command('release')
      .description('Give vessels back: each is reset (program stopped, files deleted) and your key removed')
      .argument('[vessel]', "'all' or one vessel <peer id>:v<n>", 'all'),
  ).action(async (target: string, options: ClientOptions) => {
    process.exit(
      await callPool(
        options,
        'Release',
        [target],
        (r) =>
          `released ${r.released.length} vessel${r.released.length === 1 ? '' : 's'}\n` +
          r.released.map((id) => `  ${id}\n`).join('') +
          (r.pending.length === 0
            ? ''
            : `${r.pending.length} will be released when their nodes answer:\n` +
              r.pending.map((id) => `  ${id}\n`).join('')),
      ),
    )
  })

  clientOptions(
    pool
      .command('open')
      .description("A link to your page on the pool's web page (valid 15 minutes): your vessels, acquire, release"),
  ).action(async (options: ClientOptions) => {
    process.exit(await openPage(options))
  })

  clientOptions(
    pool.command('status').description('What your key donated to the pool, the allowance it earned and what it uses'),
  ).action(async (options: ClientOptions) => {
    process.exit(
      await callPool(
        options,
        'Status',
        [],
        (s) =>
          `donated ${s.donated} vessel${s.donated === 1 ? '' : 's'} on ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'}; ` +
          `allowance ${s.allowance}; in use ${s.inUse}\n` +
          s.nodes
            .map(
              (n) =>
                `  ${n.peerId}  ${n.vessels} vessel${n.vessels === 1 ? '' : 's'}  ${n.available ? 'available' : 'not answering'}\n`,
            )
            .join(''),
      ),
    )
  })
}

/** `pool open`: asks the pool for its web page's URL (and checks it is the pool dialed) and prints it with a token
 *  signed by the key for that pool. */
async function openPage(options: ClientOptions): Promise<number> {
  const identity: KeyPair = await keyErrorsAsUsage(() => loadKeyPairRef(options.key, options.keys))
  const { signWebToken, WEB_TOKEN_LIFETIME_MS } = await import('../pool/web-token.js')
  return callPool<'PoolInfo', { url: string; key: string; expires: string }>(
    options,
    'PoolInfo',
    [],
    (link) => `${link.url}\nvalid until ${link.expires}; it acts as ${link.key}\n`,
    (info) => {
      if (info.http === null)
        throw new NodeError('E_NOT_FOUND', 'this pool serves no web page (its operator starts it with --http)')
      const now = Date.now()
      const token = signWebToken(identity.privateKey, info.peerId, WEB_TOKEN_LIFETIME_MS, now)
      const expires = new Date(now + WEB_TOKEN_LIFETIME_MS).toISOString()
      return { url: `${info.http}me?token=${token}`, key: identity.publicKeyText, expires }
    },
  )
}
