// `flotilla browse --key <name> [--keys dir] --bootstrap <multiaddr>... [--mdns] [--timeout s] [--json]`:
// looks the key up in the DHT, asks each node found for its vessels (GetVessels) and lists those where the key
// is owner or user, and apart the nodes found that did not answer (stopped or killed: their provider records stay
// on other DHT nodes until they expire). The DHT client loads when it runs.
// Exit status: 0 every node found answered, 1 none found, 2 usage mistake, 3 some found did not answer.
import type { Command } from 'commander'
import type { NodeVessels } from '../client/browse.js'
import { publicKeyText } from '../keys/key-files.js'
import { loadPublicKeyRef } from '../keys/key-ref.js'
import { DEFAULT_KEYS_DIR } from '../node/node-paths.js'
import { stopWithin } from '../p2p/stop-within.js'
import { UsageError, keyErrorsAsUsage } from './usage-error.js'

export const BROWSE_SOME_UNREACHABLE = 3

interface BrowseCommandOptions {
  key: string
  keys: string
  bootstrap: string[]
  mdns?: boolean
  timeout: string
  json?: boolean
}

/** A node found in the DHT that did not answer: its peer id, the addresses tried and why it failed. */
export interface UnreachableNode {
  peerId: string
  addresses: string[]
  error: string
}

/** What `browse --json` prints. */
export interface BrowseResult {
  key: string
  /** the nodes that answered, with the key's vessels there */
  nodes: Array<{
    peerId: string
    address: string
    vessels: NodeVessels['vessels']
  }>
  unreachable: UnreachableNode[]
}

/** The key's canonical text: a key name in `dir`, or the path of a .publickey file. */
async function keyTextOf(ref: string, dir: string): Promise<string> {
  return publicKeyText(await keyErrorsAsUsage(() => loadPublicKeyRef(ref, dir)))
}

export function browseResult(key: string, contacted: NodeVessels[]): BrowseResult {
  const result: BrowseResult = { key, nodes: [], unreachable: [] }
  for (const n of contacted) {
    if (n.address !== null && n.error === null)
      result.nodes.push({ peerId: n.peerId, address: n.address, vessels: n.vessels })
    else result.unreachable.push({ peerId: n.peerId, addresses: n.addresses, error: n.error ?? 'no answer' })
  }
  return result
}

export function browseExitCode(result: BrowseResult): number {
  if (result.unreachable.length > 0) return BROWSE_SOME_UNREACHABLE
  return result.nodes.length > 0 ? 0 : 1
}

export function formatBrowse(result: BrowseResult): string {
  const { nodes, unreachable } = result
  if (nodes.length === 0 && unreachable.length === 0) return 'no nodes found\n'
  const plural = (n: number): string => `${n} node${n === 1 ? '' : 's'}`
  const lines = [
    `${plural(nodes.length + unreachable.length)} found` +
      (unreachable.length > 0 ? `, ${unreachable.length} did not answer` : ''),
  ]
  for (const n of nodes) {
    lines.push(n.address)
    if (n.vessels.length === 0) lines.push('  no vessel of this key (any more)')
    for (const v of n.vessels)
      lines.push(`  ${v.name}  ${v.status}  ${v.owner && v.user ? 'owner, user' : v.owner ? 'owner' : 'user'}`)
  }
  if (unreachable.length > 0) lines.push(`did not answer (stopped or unreachable; their DHT records expire later):`)
  for (const n of unreachable) lines.push(`  ${n.peerId} (${n.addresses.join(', ') || 'no address'}): ${n.error}`)
  return lines.join('\n') + '\n'
}

export function registerBrowse(program: Command, out: (text: string) => void = (t) => process.stdout.write(t)): void {
  program
    .command('browse')
    .description('Find the nodes that advertise a key (DHT lookup) and list the vessels the key owns or uses there')
    .requiredOption('--key <name|path>', 'the key: a name in --keys, or a path to its .publickey file')
    .option('--keys <dir>', 'folder of key files', DEFAULT_KEYS_DIR)
    .option('--bootstrap <multiaddr...>', 'DHT nodes to join through (with /p2p/<peerId>)', [])
    .option('--mdns', 'also find DHT nodes on the local network by mDNS')
    .option('--timeout <s>', 'time for the lookup, and again for contacting the nodes', '10')
    .option('--json', 'print the result as JSON: {key, nodes: [{peerId, address, vessels}], unreachable: [...]}')
    .addHelpText(
      'after',
      `
Every node found in the DHT is asked for its vessels; a node that does not answer within --timeout (stopped,
killed, unreachable) is listed under "did not answer" (JSON: unreachable, with the error), not with the others.
Exit status: 0 every node found answered, 1 none found, 2 usage mistake, 3 some found did not answer.
Example:
  flotilla browse --key alice --bootstrap /ip4/127.0.0.1/tcp/1224/p2p/12D3KooW...`,
    )
    .action(async (options: BrowseCommandOptions) => {
      const seconds = Number(options.timeout)
      if (!Number.isFinite(seconds) || seconds <= 0)
        throw new UsageError(`--timeout must be a number of seconds, not '${options.timeout}'`)
      if (options.bootstrap.length === 0 && options.mdns !== true)
        throw new UsageError('give --bootstrap <multiaddr> or --mdns')
      for (const address of options.bootstrap) {
        if (!address.includes('/p2p/'))
          throw new UsageError(`--bootstrap ${address}: the address must end with /p2p/<peerId>`)
      }
      const keyText = await keyTextOf(options.key, options.keys)
      const { lookUp, vesselsForKey } = await import('../client/browse.js')
      let lookup: Awaited<ReturnType<typeof lookUp>>
      try {
        lookup = await lookUp(keyText, {
          bootstrap: options.bootstrap,
          mdns: options.mdns === true,
          timeoutMs: seconds * 1000,
        })
      } catch (err) {
        throw new UsageError(`cannot look the key up: ${err instanceof Error ? err.message : String(err)}`)
      }
      // the result is printed before the libp2p nodes stop, and each stop is bounded: a stop that never finished
      // once made Node exit (13) with nothing printed
      const { ClientTransport } = await import('../client/node-client.js')
      let transport: Awaited<ReturnType<typeof ClientTransport.create>> | undefined
      try {
        transport = await ClientTransport.create()
        const contacted = await vesselsForKey(lookup.found, keyText, { timeoutMs: seconds * 1000, transport })
        const result = browseResult(keyText, contacted)
        out(options.json ? JSON.stringify(result) + '\n' : formatBrowse(result))
        process.exitCode = browseExitCode(result)
      } finally {
        const client = transport
        await Promise.all([lookup.stop(), client ? stopWithin({ stop: () => client.close() }) : undefined])
      }
    })
}
