// `flotilla node top`: the node owner's console. Live and full screen on a terminal; one snapshot as text with
// --once (or when stdout is not a terminal), as JSON with --json.
import { Command, Option } from 'commander'
import type { NodeClient } from '../client/node-client.js'
import { KeyFileError, type KeyPair } from '../keys/key-files.js'
import { loadKeyPairRef } from '../keys/key-ref.js'
import { DEFAULT_KEYS_DIR, DEFAULT_LISTEN } from '../node/node-paths.js'
import { NodeError } from '../protocol/errors.js'
import { fetchSnapshot, type NodeSnapshot } from '../tui/snapshot.js'
import { snapshotJson, snapshotText } from '../tui/snapshot-text.js'
import { UsageError } from './usage-error.js'
import { prepareInkTerminal } from './ink-terminal.js'

interface TopOptions {
  node: string
  key: string
  keys: string
  once?: boolean
  json?: boolean
  interval: number
  timeout: number
}

/** Adds `top` to the `node` command group. */
export function registerTop(nodeCommand: Command): void {
  nodeCommand
    .command('top')
    .description("The node owner's console: live vessels, their use of each resource against its quota, their logs")
    .option('--node <multiaddr>', 'the node manager to watch', DEFAULT_LISTEN)
    .option(
      '--key <name|path>',
      'the owner (or user) key pair to sign requests with: a name in --keys, or a path',
      'owner',
    )
    .option('--keys <dir>', 'the folder of key files', DEFAULT_KEYS_DIR)
    .option('--once', 'print one snapshot as text and exit (the default when stdout is not a terminal)')
    .option('--json', 'print one snapshot as JSON and exit')
    .addOption(
      new Option('--interval <seconds>', 'refresh period of the live console')
        .default(500, '0.5')
        .argParser(secondsOption('--interval', 0.1)),
    )
    .addOption(
      new Option('--timeout <seconds>', 'time limit of each request')
        .default(5000, '5')
        .argParser(secondsOption('--timeout', 0.1)),
    )
    .addHelpText(
      'after',
      `
Keys in the console: ↑/↓ select a vessel, Enter follow its log (↑/↓ PgUp/PgDn scroll, End follow, Esc back),
s stop its program, r reset it (asks y/n), q quit.
Exit status: 0 done, 2 a mistake in the command line or a missing key, 3 the node could not be reached.

Examples:
  flotilla node top                                    the node of this checkout, with keys/owner.*
  flotilla node top --once                             one snapshot as text
  flotilla node top --node /ip4/10.0.0.5/tcp/1224 --key alice --keys ~/.flotilla/keys --json`,
    )
    .action(async (options: TopOptions) => {
      process.exitCode = await top(options)
    })
}

/** Parses seconds (fractions allowed) into milliseconds. */
function secondsOption(name: string, min: number): (v: string) => number {
  return (v) => {
    const n = Number(v)
    if (!Number.isFinite(n) || n < min) throw new UsageError(`${name} must be a number of seconds ≥ ${min}, not '${v}'`)
    return Math.round(n * 1000)
  }
}

function fail(code: 2 | 3, message: string): number {
  process.stderr.write(`flotilla node top: ${message}\n`)
  return code
}

async function top(options: TopOptions): Promise<number> {
  let identity: KeyPair
  try {
    identity = await loadKeyPairRef(options.key, options.keys)
  } catch (err) {
    if (err instanceof KeyFileError)
      return fail(2, `cannot load key '${options.key}': ${err.message} (use --key and --keys)`)
    throw err
  }
  const live = !options.once && !options.json && process.stdout.isTTY === true
  // libp2p loads only when the console runs: every other `node` subcommand registers this one too.
  const { ClientTransport, NodeClient } = await import('../client/node-client.js')
  const transport = await ClientTransport.create()
  const connect = (): Promise<NodeClient> =>
    NodeClient.connect(options.node, { identity, transport, timeoutMs: options.timeout })
  try {
    let client: NodeClient
    let snapshot: NodeSnapshot
    try {
      client = await connect()
      snapshot = await fetchSnapshot(client, options.node)
      if (!live && snapshot.vessels.some((v) => v.status === 'Started')) {
        // a second sample gives cpu shares over a short interval instead of averages since start
        await new Promise((r) => setTimeout(r, 500))
        snapshot = await fetchSnapshot(client, options.node, snapshot)
      }
    } catch (err) {
      if (err instanceof NodeError) return fail(err.code === 'E_USAGE' ? 2 : 3, err.message)
      throw err
    }
    if (!live) {
      process.stdout.write(
        options.json ? snapshotJson(snapshot) : snapshotText(snapshot, process.stdout.columns || 100),
      )
      return 0
    }
    prepareInkTerminal()
    const { runConsole } = await import('../tui/run.js')
    await runConsole({ client, initial: snapshot, connect, address: options.node, intervalMs: options.interval })
    return 0
  } finally {
    await transport.close().catch(() => {})
  }
}
