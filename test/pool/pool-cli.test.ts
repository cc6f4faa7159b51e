// The pool from the command line, as an operator, a donor and an experimenter use it: `pool start` in a child
// process, `node init --pool` + `node start` (the node tells the pool at start), `node donate`, and `pool acquire |
// list | renew | release | status` with their exit codes (0 ok, 1 refused, 2 usage, 3 unreachable) and no stack
// traces. A donated node that reserves a relay slot after start tells the pool again (its relayed address; the root
// test test/p2p/nat-netns.test.ts does it behind a real NAT). Then a pool killed (SIGKILL) in the middle of an
// acquire: at its next start it takes the half-added user back off the node, so the acquire is undone on both sides.
import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientTransport } from '../../src/client/node-client.js'
import { PoolClient } from '../../src/client/pool-client.js'
import { donateVessels } from '../../src/client/donate.js'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import type { Lease } from '../../src/pool/pool-calls.js'
import { flotilla as runCli, type CliResult } from '../helpers/flotilla-run.js'
import { BIN } from '../helpers/flotilla-run.js'
import { requireBuild, startTestNode, tempDir, waitFor } from '../node/nm-helpers.js'
import { usersOn } from './pool-helpers.js'

const STACK = /\n\s+at |Error:/
let dir: string
let transport: ClientTransport
const cleanups: Array<() => Promise<void> | void> = []

const flotilla = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: dir, timeoutMs: 90_000 })

/** `pool start` in a child process; answers its address once it printed it. */
async function spawnPool(data: string, ...flags: string[]): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'pool',
      'start',
      '--data',
      data,
      // a keys folder of its own, where its key is made: pools of tests running side by side must not share a peer
      // id; a restarted pool (the same data folder) keeps its key
      '--keys',
      `${data}-keys`,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--json',
      '--check-interval',
      '1',
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stderr = ''
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`pool start exited ${code}: ${stderr}`)))
  })
  return { child, address: (JSON.parse(line) as { addresses: string[] }).addresses[0]! }
}

const firstLine = (child: ChildProcess): Promise<string> =>
  new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`exited ${code} before its first line`)))
  })

const exitOf = (child: ChildProcess): Promise<number | string | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode ?? child.signalCode)
    : new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)))

async function free(address: string): Promise<number> {
  const client = await PoolClient.connect(address, { transport })
  return (await client.call('PoolInfo', [])).free
}

beforeAll(async () => {
  requireBuild()
  dir = tempDir('flotilla-pool-cli-')
  transport = await ClientTransport.create()
  await generateKeyFiles(join(dir, 'keys'), 'alice')
})

afterAll(async () => {
  for (const clean of cleanups.reverse()) await Promise.resolve(clean()).catch(() => undefined)
  await transport?.close()
  rmSync(dir, { recursive: true, force: true })
}, 60_000)

// The tests run side by side: each has its own pool and node.
describe.concurrent('pool commands', () => {
  it('donate at init, then acquire, list, renew, status and release from the command line', async () => {
    const pool = await spawnPool(join(dir, 'pool1'), '--base', '1', '--per-donated', '2', '--lease', '1h')
    const data = join(dir, 'node1')
    const keys = join(dir, 'node1-keys')
    const init = await flotilla(
      'node',
      'init',
      '--pool',
      pool.address,
      '--vessels',
      '2',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--data',
      data,
      '--keys',
      keys,
    )
    expect(init.stderr).toBe('')
    expect(init.code).toBe(0)
    // its vessels run no program here: no engine warm-up (a second of a core)
    const node = spawn(
      process.execPath,
      [BIN, 'node', 'start', '--data', data, '--keys', keys, '--json', '--no-warm-up'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    cleanups.push(() => {
      if (node.exitCode === null) node.kill('SIGKILL')
    })
    // the node tells the pool at start
    await waitFor(async () => (await free(pool.address)) === 2, 'the pool to offer the two donated vessels', 60_000)

    const as = (key: string, ...args: string[]) =>
      flotilla(
        'pool',
        ...args,
        '--pool',
        pool.address,
        '--key',
        key,
        '--keys',
        key === 'owner' ? keys : join(dir, 'keys'),
      )
    // Calls that change nothing run side by side (each is a CLI process start): the status and a refused acquire
    // before the lease; the list and both renewals with it; after the release, the list, the usage mistakes, a
    // refusal and an unreachable pool.
    const [status, tooMany] = await Promise.all([as('owner', 'status', '--json'), as('alice', 'acquire', '2')])
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ donated: 2, allowance: 5, inUse: 0 })
    expect(tooMany.code).toBe(1)
    expect(tooMany.stderr).toMatch(/^E_ALLOWANCE: /)

    const got = await as('alice', 'acquire', '1', '--json')
    expect(got.code).toBe(0)
    const [lease] = JSON.parse(got.stdout) as Lease[]
    expect(lease!.id).toMatch(/^12D3KooW\w+:v[12]$/)
    const [list, renewAll, mine] = await Promise.all([
      as('alice', 'list'),
      as('alice', 'renew'),
      as('alice', 'renew', lease!.id, '--json'),
    ])
    expect(list.stdout).toContain(lease!.id)
    expect(renewAll.code).toBe(0)
    expect((JSON.parse(mine.stdout) as Lease[])[0]!.leaseEnd).toBeGreaterThanOrEqual(lease!.leaseEnd)
    const release = await as('alice', 'release')
    expect(release.code).toBe(0)
    expect(release.stdout).toBe(`released 1 vessel\n  ${lease!.id}\n`)

    const peer = pool.address.split('/p2p/')[1]!
    const [empty, notNumber, notLeased, noKey, away, help] = await Promise.all([
      as('alice', 'list'),
      as('alice', 'acquire', 'x'),
      as('alice', 'release', 'v1'),
      flotilla('pool', 'list', '--key', 'nobody', '--keys', join(dir, 'keys'), '--pool', pool.address),
      flotilla(
        'pool',
        'list',
        '--key',
        'alice',
        '--keys',
        join(dir, 'keys'),
        '--pool',
        `/ip4/127.0.0.1/tcp/1/p2p/${peer}`,
        '--timeout',
        '5',
      ),
      flotilla('pool', 'acquire', '--help'),
    ])
    expect(empty.stdout).toBe('no vessels leased to this key\n')
    expect([notNumber.code, notLeased.code, noKey.code]).toEqual([2, 1, 2])
    expect(away.code).toBe(3)
    for (const r of [tooMany, away]) expect(r.stderr).not.toMatch(STACK)
    expect(help.code).toBe(0)

    node.kill('SIGTERM')
    expect(await exitOf(node)).toBe(0)
    pool.child.kill('SIGTERM')
    expect(await exitOf(pool.child)).toBe(0)
  }, 180_000)

  it('node donate gives a running node vessels to the pool and credits its owner', async () => {
    const pool = await spawnPool(join(dir, 'pool2'))
    const n = await startTestNode({ transport, init: { vessels: 2, donatePercent: 20 } })
    cleanups.push(() => n.stop())
    const donated = await flotilla(
      'node',
      'donate',
      '--pool',
      pool.address,
      '--node',
      n.address,
      '--key',
      'owner',
      '--keys',
      n.keysDir,
      '--vessels',
      'v2',
      '--json',
    )
    expect(donated.stderr).toBe('')
    expect(JSON.parse(donated.stdout)).toMatchObject({ vessels: ['v2'], announce: { vessels: 1 } })
    const [status, noNode] = await Promise.all([
      flotilla('pool', 'status', '--pool', pool.address, '--key', 'owner', '--keys', n.keysDir, '--json'),
      flotilla('node', 'donate', '--pool', pool.address, '--data', join(dir, 'none'), '--keys', n.keysDir),
    ])
    expect(JSON.parse(status.stdout)).toMatchObject({ donated: 1, allowance: 12 })
    expect(noNode.code).toBe(2)
    pool.child.kill('SIGTERM')
    expect(await exitOf(pool.child)).toBe(0)
  }, 120_000)
})

describe.concurrent('a donated node whose addresses change', () => {
  it('tells the pool again: after a relay slot, the pool lends its vessel at the relayed address', async () => {
    const pool = await spawnPool(join(dir, 'pool4'))
    const data = join(dir, 'node4')
    const keys = join(dir, 'node4-keys')
    const init = await flotilla(
      ...['node', 'init', '--pool', pool.address, '--vessels', '1', '--listen', '/ip4/127.0.0.1/tcp/0'],
      ...['--data', data, '--keys', keys],
    )
    expect(init.code, init.stderr).toBe(0)
    // no relay yet: the node tells the pool its own address at start
    const args = [
      'node',
      'start',
      '--data',
      data,
      '--keys',
      keys,
      '--json',
      '--relay-reserve',
      'always',
      '--no-warm-up',
    ]
    const node = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    cleanups.push(() => {
      if (node.exitCode === null) node.kill('SIGKILL')
    })
    let stderr = ''
    node.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    const address = (JSON.parse(await firstLine(node)) as { addresses: string[] }).addresses[0]!
    await waitFor(async () => (await free(pool.address)) === 1, 'the pool to offer the vessel after the first Announce')
    // a relay joins through the node: the node reserves a slot on it, and its announced addresses change
    const relay = await startTestNode({ transport, node: { discovery: { bootstrap: [address] } } })
    cleanups.push(() => relay.stop())
    await waitFor(
      async () => /told the pool \S+ this node is at \S+\/p2p-circuit/.test(stderr),
      'the node to tell the pool its relayed address',
      60_000,
    )
    const got = await flotilla(
      'pool',
      'acquire',
      '1',
      '--key',
      'alice',
      '--keys',
      join(dir, 'keys'),
      '--pool',
      pool.address,
      '--json',
    )
    expect(got.code, got.stderr).toBe(0)
    const [lease] = JSON.parse(got.stdout) as Lease[]
    expect(lease!.node).toContain(`/p2p/${relay.nm.peerId}/p2p-circuit/`)
    node.kill('SIGTERM')
    expect(await exitOf(node)).toBe(0)
    pool.child.kill('SIGTERM')
    expect(await exitOf(pool.child)).toBe(0)
  }, 120_000)
})

describe.concurrent('a pool killed in the middle of an acquire', () => {
  it('takes the user back off the node at its next start', async () => {
    const data = join(dir, 'pool3')
    const first = await spawnPool(data)
    const n = await startTestNode({ transport, init: { vessels: 1, donatePercent: 20 } })
    cleanups.push(() => n.stop())
    const owner = (await import('../../src/keys/key-files.js')).loadKeyPair
    await donateVessels(n.address, first.address, n.keys.owner, { transport })
    const alice = await owner(join(dir, 'keys'), 'alice')
    // hold the vessel on the node, so that the pool's ChangeUsers waits there
    let open!: () => void
    const gate = new Promise<void>((r) => (open = r))
    const held = n.nm.locks.vessel('v1', () => gate)
    const client = await PoolClient.connect(first.address, { identity: alice, transport })
    const acquiring = client.call('Acquire', [1, false]).catch((err: unknown) => err)
    // the intent is stored with the vessel's 'acquiring' state, in one batch, before any node call
    await waitFor(async () => (await free(first.address)) === 0, 'the pool to begin the acquire')
    await waitFor(async () => n.nm.protocolStats().handling > 0, "the pool's ChangeUsers to reach the node")
    first.child.kill('SIGKILL')
    expect(await exitOf(first.child)).toBe('SIGKILL')
    open()
    await held
    expect(await acquiring).toMatchObject({ code: expect.stringMatching(/^E_(UNREACHABLE|TIMEOUT)$/) as unknown })
    // the node did add the user: the pool died before recording the lease
    await waitFor(async () => (await usersOn(n)).v1?.[0] === alice.publicKeyText, 'the user to be on the node')

    const second = await spawnPool(data)
    await waitFor(async () => (await usersOn(n)).v1?.length === 0, 'the restarted pool to take the user back off')
    await waitFor(async () => (await free(second.address)) === 1, 'the vessel to be free again')
    const again = await PoolClient.connect(second.address, { identity: alice, transport })
    expect(await again.call('List', [])).toEqual([])
    second.child.kill('SIGTERM')
    expect(await exitOf(second.child)).toBe(0)
  }, 120_000)
})
