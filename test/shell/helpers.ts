// Helpers for the shell tests: real node managers (`flotilla node start` child processes) on 127.0.0.x with
// vessels owned by a shared experimenter key, and the flotilla CLI (from dist/) run as a child process.
import { requireBuild } from '../helpers/build.js'
import { flotilla as runCli, type CliResult } from '../helpers/flotilla-run.js'
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { generateKeyFiles, type KeyPair } from '../../src/keys/key-files.js'

export const PROJECT = new URL('../../', import.meta.url).pathname
export const CLI = join(PROJECT, 'bin', 'flotilla')

export { requireBuild }

export interface TestNode {
  address: string
  peerId: string
  process: ChildProcess
}

export interface Testbed {
  /** working folder of the shell: keys/alice.*, keys/bob.*, nodes.txt, programs */
  dir: string
  alice: KeyPair
  bob: KeyPair
  nodes: TestNode[]
  /** a client signing as alice (owner of every vessel) */
  client(i: number): Promise<NodeClient>
  stop(): Promise<void>
}

/** Starts `flotilla node start` as a child process and waits for its JSON line (the node summary). */
export function startNodeProcess(dataDir: string, keysDir: string): Promise<TestNode> {
  return new Promise((resolve, reject) => {
    // --no-warm-up: the tests' vessels run a few small programs, far less than the warm-up's second of a core
    const args = [CLI, 'node', 'start', '--data', dataDir, '--keys', keysDir, '--json', '--no-warm-up']
    const child = spawn('node', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const nl = out.indexOf('\n')
      if (nl === -1) return
      const summary = JSON.parse(out.slice(0, nl)) as { peerId: string; addresses: string[] }
      resolve({ address: summary.addresses[0]!, peerId: summary.peerId, process: child })
    })
    child.on('exit', (code) => reject(new Error(`node start exited with ${code}: ${err}`)))
  })
}

export function stopNodeProcess(node: TestNode): Promise<void> {
  return new Promise((resolve) => {
    if (node.process.exitCode !== null || node.process.signalCode !== null) return resolve()
    const timer = setTimeout(() => node.process.kill('SIGKILL'), 10_000)
    node.process.on('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    node.process.kill('SIGINT')
  })
}

/**
 * `count` node managers (child processes) on 127.0.0.1, 127.0.0.2, … each with `vessels` vessels owned by alice.
 * `dir` holds keys/alice.* and keys/bob.* (the experimenters) and nodes.txt (the nodes' multiaddrs).
 */
export async function startTestbed(count: number, vessels = 3): Promise<Testbed> {
  requireBuild()
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-shell-'))
  const keys = join(dir, 'keys')
  const alice = await generateKeyFiles(keys, 'alice')
  const bob = await generateKeyFiles(keys, 'bob')
  const nodes: TestNode[] = []
  for (let i = 0; i < count; i++) {
    const base = join(dir, `node${i}`)
    mkdirSync(join(base, 'keys'), { recursive: true })
    copyFileSync(join(keys, 'alice.publickey'), join(base, 'keys', 'alice.publickey'))
    const init = await flotilla(
      [
        'node',
        'init',
        '--data',
        join(base, 'data'),
        '--keys',
        join(base, 'keys'),
        '--owner',
        'alice',
        '--vessels',
        String(vessels),
        '--listen',
        `/ip4/127.0.0.${i + 1}/tcp/0`,
      ],
      dir,
    )
    if (init.code !== 0) throw new Error(`node init failed: ${init.stderr}`)
  }
  nodes.push(
    ...(await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startNodeProcess(join(dir, `node${i}`, 'data'), join(dir, `node${i}`, 'keys')),
      ),
    )),
  )
  writeFileSync(join(dir, 'nodes.txt'), nodes.map((n) => n.address).join('\n') + '\n')
  let transport: ClientTransport | undefined
  const clients = new Map<number, NodeClient>()
  return {
    dir,
    alice,
    bob,
    nodes,
    async client(i) {
      transport ??= await ClientTransport.create()
      const c = clients.get(i) ?? (await NodeClient.connect(nodes[i]!.address, { identity: alice, transport }))
      clients.set(i, c)
      return c
    },
    async stop() {
      await transport?.close()
      await Promise.all(nodes.map(stopNodeProcess))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type Run = CliResult

/** Runs `flotilla <args>` in `cwd` (stdin closed, or fed `input`). */
export function flotilla(args: string[], cwd: string, input?: string): Promise<Run> {
  return runCli(args, { cwd, input })
}

/** The JSON objects printed by `--json`, one a line. */
export function jsonLines(stdout: string): JsonLine[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JsonLine)
}
type JsonLine = Record<string, unknown> & { command: string; ok: boolean }

/** A peer id nobody has. */
export async function unknownPeerId(): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

/** A TCP server that accepts connections and never answers: a node that hangs. */
export async function silentServer(host: string): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => undefined)
  })
  await new Promise<void>((r) => server.listen(0, host, r))
  const port = (server.address() as { port: number }).port
  return {
    address: `/ip4/${host}/tcp/${port}/p2p/${await unknownPeerId()}`,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

export { waitFor } from '../helpers/wait-for.js'

export const HELLO = "log('Hello World', callargs.join(' '), '\\n')\n"
