// `flotilla browse --key <name> [--keys dir] --bootstrap <multiaddr>... [--mdns] [--timeout s] [--json]`:
// looks the key up in the DHT, asks each node found for its vessels (GetVessels) and lists those where the key
// is owner or user. Exit status: 0 nodes found, 1 none found, 2 usage mistake. The DHT client loads when it runs.
import type { Command } from 'commander'
import type { FoundNode, NodeVessels } from '../client/browse.js'
import { publicKeyText } from '../keys/key-files.js'
import { loadPublicKeyRef } from '../keys/key-ref.js'
import { DEFAULT_KEYS_DIR } from '../node/node-paths.js'
import { UsageError, keyErrorsAsUsage } from './usage-error.js'

interface BrowseCommandOptions {
  key: string
  keys: string
  bootstrap: string[]
  mdns?: boolean
  timeout: string
  json?: boolean
}

/** The key's canonical text: a key name in `dir`, or the path of a .publickey file. */
async function keyTextOf(ref: string, dir: string): Promise<string> {
  return publicKeyText(await keyErrorsAsUsage(() => loadPublicKeyRef(ref, dir)))
}

export function formatBrowse(nodes: NodeVessels[]): string {
  if (nodes.length === 0) return 'no nodes found\n'
  const lines = [`${nodes.length} node${nodes.length === 1 ? '' : 's'} found`]
  for (const n of nodes) {
    lines.push(n.address ?? `${n.peerId} (${n.addresses.join(', ') || 'no address'})`)
    if (n.error !== null) lines.push(`  could not list vessels: ${n.error}`)
    else if (n.vessels.length === 0) lines.push('  no vessel of this key (any more)')
    for (const v of n.vessels)
      lines.push(`  ${v.name}  ${v.status}  ${v.owner && v.user ? 'owner, user' : v.owner ? 'owner' : 'user'}`)
  }
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
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Exit status: 0 nodes found, 1 none found, 2 usage mistake.
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
      const { findNodes, vesselsForKey } = await import('../client/browse.js')
      let found: FoundNode[]
      try {
        found = await findNodes(keyText, {
          bootstrap: options.bootstrap,
          mdns: options.mdns === true,
          timeoutMs: seconds * 1000,
        })
      } catch (err) {
        throw new UsageError(`cannot look the key up: ${err instanceof Error ? err.message : String(err)}`)
      }
      const result = await vesselsForKey(found, keyText, { timeoutMs: seconds * 1000 })
      out(options.json ? JSON.stringify({ key: keyText, nodes: result }) + '\n' : formatBrowse(result))
      process.exitCode = result.length > 0 ? 0 : 1
    })
}
