// Helpers for the node manager tests: real node managers on 127.0.0.1 (any free port), real LevelDB in temp
// folders, real sandbox host processes (compiled, from dist/), real keys.
import { requireBuild } from '../helpers/build.js'
import { chmodSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { NodeClient, ClientTransport } from '../../src/client/node-client.js'
import { generateKeyFiles, type KeyPair } from '../../src/keys/key-files.js'
import { NodeError } from '../../src/protocol/errors.js'
import type { NodeSummary } from '../../src/protocol/results.js'
import { NodeManager, type NodeManagerOptions } from '../../src/node/node-manager.js'
import type { InitOptions } from '../../src/node/node-config.js'
import type { NodeLimitsOptions } from '../../src/node/node-limits.js'
import { tempDir } from '../helpers/temp-dir.js'

export const PROJECT = new URL('../../', import.meta.url).pathname
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
export const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')

export const HELLO = "log('Hello World\\n')\n"
/** Prints tick 0..n-1, one every `s` seconds (callargs: n s). */
export const TICKER = `const n = Number(callargs[0] ?? 5), s = Number(callargs[1] ?? 0.2)
for (let i = 0; i < n; i++) { log('tick ' + i + '\\n'); await sleep(s) }
`
/** Runs until stopped. */
export const SLEEPER = "log('sleeping\\n')\nwhile (true) await sleep(0.5)\n"

export { requireBuild }

export interface Keys {
  owner: KeyPair
  user: KeyPair
  stranger: KeyPair
}

export interface TestNode {
  nm: NodeManager
  dir: string
  keysDir: string
  dataDir: string
  keys: Keys
  address: string
  /** a client per identity; 'none' sends unsigned requests */
  client(who: keyof Keys | 'none'): Promise<NodeClient>
  stop(): Promise<void>
}

export { tempDir }

export async function makeKeys(keysDir: string): Promise<Keys> {
  const [owner, user, stranger] = await Promise.all(
    ['owner', 'user', 'stranger'].map((n) => generateKeyFiles(keysDir, n)),
  )
  return { owner: owner!, user: user!, stranger: stranger! }
}

/** A node manager with `vessels` vessels owned by the 'owner' key, listening on a free loopback port; its sandbox
 *  host skips the engine warm-up. */
export async function startTestNode(
  options: {
    init?: InitOptions
    transport?: ClientTransport
    limits?: NodeLimitsOptions
    /** more node manager options (log, sandboxUser, discovery; engineWarmUp: true for a test of the warm-up) */
    node?: Pick<NodeManagerOptions, 'log' | 'sandboxUser' | 'discovery' | 'engineWarmUp' | 'hostIdleMs'>
    /** let other users pass through the temp folder, as a node manager's data folder usually allows, so that a node
     *  run as root starts its sandbox host as nobody (default true; false: a 0700 folder, the host falls back to root) */
    passable?: boolean
  } = {},
): Promise<TestNode> {
  requireBuild()
  const dir = tempDir()
  if (options.passable ?? true) chmodSync(dir, 0o711)
  const keysDir = join(dir, 'keys')
  const dataDir = join(dir, 'data')
  const keys = await makeKeys(keysDir)
  const nm = await NodeManager.start({
    dataDir,
    keysDir,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    limits: options.limits,
    init: { donatePercent: 20, vessels: 3, listen: ['/ip4/127.0.0.1/tcp/0'], ...options.init },
    // the tests' vessels run a few small programs: the warm-up's second of a core per node would cost more
    engineWarmUp: false,
    ...options.node,
  })
  const address = nm.addresses[0]!
  const clients: NodeClient[] = []
  let transport = options.transport
  let ownTransport: ClientTransport | undefined
  return {
    nm,
    dir,
    keysDir,
    dataDir,
    keys,
    address,
    async client(who) {
      transport ??= ownTransport = await ClientTransport.create()
      const c = await NodeClient.connect(address, { identity: who === 'none' ? undefined : keys[who], transport })
      clients.push(c)
      return c
    },
    async stop() {
      await ownTransport?.close()
      await nm.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The sandbox host processes this test process started (children running dist/runtime/sandbox-host.js). */
export function sandboxHostPids(): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (parent === process.pid && cmdline.includes('sandbox-host.js')) pids.push(Number(entry))
    } catch {
      /* gone meanwhile */
    }
  }
  return pids
}

/** The code a promise is refused with (or 'ok'). */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (err) {
    if (err instanceof NodeError) return err.code
    throw err
  }
}

/** Everything a request could change, as seen by the owner: vessels, and every file's content in its vessels. */
export async function snapshot(
  owner: NodeClient,
  ownerKey: string,
): Promise<{ vessels: NodeSummary['vessels']; files: Record<string, Record<string, string>> }> {
  const { vessels } = await owner.getVessels()
  // the reads are independent: side by side, a snapshot costs about one round trip per vessel, not one per file
  const entries = await Promise.all(
    vessels
      .filter((x) => x.ownerKey === ownerKey)
      .map(async (v) => {
        const names = await owner.call('ListFilesInVessel', [v.name])
        const contents = await Promise.all(
          names.map(async (name) => {
            const bytes = await owner.call('RetrieveFileFromVessel', [v.name, name])
            return [name, Buffer.from(bytes).toString('base64')] as const
          }),
        )
        return [v.name, Object.fromEntries(contents)] as const
      }),
  )
  return { vessels, files: Object.fromEntries(entries) }
}

export { waitFor } from '../helpers/wait-for.js'
