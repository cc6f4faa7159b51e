// The CLI: `flotilla node init|start|status|call` as a user types them. Exit codes: 0 ok, 1 refused, 2 usage, 3 unreachable.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import { nodePaths, vesselLogPrefix } from '../../src/node/node-paths.js'
import { RingLog } from '../../src/runtime/ring-log.js'
import type { NodeSummary } from '../../src/protocol/results.js'
import { flotilla as runCli, type CliResult } from '../helpers/flotilla-run.js'
import { HELLO, PROJECT, requireBuild, tempDir, waitFor } from './nm-helpers.js'

const BIN = join(PROJECT, 'bin/flotilla')
let dir: string

type Run = CliResult
const flotilla = (...args: string[]): Promise<Run> => runCli(args, { cwd: dir })
const json = <T>(r: Run): T => JSON.parse(r.stdout) as T

beforeAll(() => {
  requireBuild()
  dir = tempDir('flotilla-cli-')
  writeFileSync(join(dir, 'hello.js'), HELLO)
})

describe.concurrent('flotilla node init', () => {
  it('init sets a node up; a second init is a usage mistake', async () => {
    const data = join(dir, 'init-data')
    const keys = join(dir, 'init-keys')
    const r = await flotilla(
      'node',
      'init',
      '--donate',
      '20%',
      '--owner',
      'alice',
      '--vessels',
      '2',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--data',
      data,
      '--keys',
      keys,
      '--json',
    )
    expect(r.code).toBe(0)
    const config = json<{ peerId: string; donatePercent: number; vessels: { name: string }[] }>(r)
    expect(config.donatePercent).toBe(20)
    expect(config.vessels.map((v) => v.name)).toEqual(['v1', 'v2'])
    const again = await flotilla('node', 'init', '--data', data, '--keys', keys)
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/holds a node already \(use --force/)
    const status = await flotilla('node', 'status', '--json', '--data', data)
    expect(status.code).toBe(0)
    expect(json<NodeSummary>(status).vessels.map((v) => v.status)).toEqual(['Fresh', 'Fresh'])
    expect(
      (await flotilla('node', 'init', '--donate', '500%', '--data', join(dir, 'other'), '--keys', keys)).code,
    ).toBe(2)
  })

  it("--owner takes an existing key by path, so a second node can share the first one's owner; a missing one is a usage mistake", async () => {
    const owner = (await generateKeyFiles(join(dir, 'shared-keys'), 'owner')).publicKeyText
    const second = await flotilla(
      'node',
      'init',
      '--owner',
      join(dir, 'shared-keys', 'owner.publickey'),
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--data',
      join(dir, 'second-data'),
      '--keys',
      join(dir, 'second-keys'),
      '--json',
    )
    expect(second.stderr).toBe('')
    expect(json<{ ownerKey: string; vessels: { ownerKey: string }[] }>(second).vessels[0]?.ownerKey).toBe(owner)
    const missing = await flotilla(
      'node',
      'init',
      '--owner',
      join(dir, 'nowhere', 'carol'),
      '--data',
      join(dir, 'third-data'),
      '--keys',
      join(dir, 'third-keys'),
    )
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/owner key: .*carol\.publickey: no such key file/)
    expect((await flotilla('node', 'status', '--json', '--data', join(dir, 'third-data'))).code).not.toBe(0)
  })
})

// One node, set up and started once (starting one is the slow part), shared because no test depends on what
// another does to it: the status test only reads (the address, three vessels: no test adds or removes one); the
// program test uses v1 only, the advertising/users test v2 only; the exit-code test makes refused calls and checks
// that v3, which no other test touches, did not change; the busy-port test only reads the port. So they run side by
// side. Stopping a node (SIGTERM, Ctrl-C) is test/cli/stop-start.test.ts's subject.
describe.concurrent('a running node: flotilla node status and node call', { timeout: 120_000 }, () => {
  let data: string
  let keys: string
  let child: ChildProcess
  let address: string
  /** What `node start --json` printed first. */
  let started: NodeSummary
  const k = (): string[] => ['--key', 'alice', '--keys', keys]

  beforeAll(async () => {
    data = join(dir, 'data')
    keys = join(dir, 'keys')
    const init = await flotilla(
      'node',
      'init',
      '--owner',
      'alice',
      '--vessels',
      '3',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--data',
      data,
      '--keys',
      keys,
    )
    expect(init.code).toBe(0)
    // --no-warm-up: its vessels run a few small programs (the defaults are the fresh-folder test's)
    child = spawn(process.execPath, [BIN, 'node', 'start', '--data', data, '--keys', keys, '--json', '--no-warm-up'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))
    started = JSON.parse(line) as NodeSummary
    address = started.addresses[0]!
  })
  afterAll(async () => {
    if (child?.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
  })

  it("status shows where the node listens, to the node's own folder", async () => {
    expect(address).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW/)
    const [status, human, vessels] = await Promise.all([
      flotilla('node', 'status', '--json', '--data', data),
      flotilla('node', 'status', '--data', data),
      flotilla('node', 'call', address, 'GetVessels', '--json'),
    ])
    expect(json<NodeSummary>(status).addresses).toEqual([address])
    // a node on a LAN (no NAT seen) is reached at its own addresses
    expect(json<NodeSummary>(status).reachability).toEqual({ how: 'direct', relays: [], natAddresses: [] })
    expect(human.stdout).toMatch(/VESSEL\s+STATUS/)
    expect(human.stdout).toContain('reachable: direct\n')
    expect(vessels.code).toBe(0)
    expect(json<NodeSummary>(vessels).vessels).toHaveLength(3)
  })

  it("the start's summary lists the owner key the vessels advertise (it once said none before they were read)", async () => {
    const alice = readFileSync(join(keys, 'alice.publickey'), 'utf8').trim()
    expect(started.advertising?.map((a) => a.key)).toEqual([alice])
  })

  it('call uploads and starts a program and reads its log, with the start marked', async () => {
    expect(
      (await flotilla('node', 'call', address, 'AddFileToVessel', 'v1', 'hello.js', '@hello.js', ...k())).code,
    ).toBe(0)
    const start = await flotilla('node', 'call', address, 'StartVessel', 'v1', 'hello.js', ...k())
    expect(start).toMatchObject({ code: 0, stdout: 'Started\n' })
    // waits on the log's files in the node's folder (a `node call` per poll would cost a process start each time),
    // then reads it through the node
    const v1Log = new RingLog(vesselLogPrefix(nodePaths(data), 'v1'))
    await waitFor(async () => v1Log.read().toString('utf8').endsWith('Hello World\n'), 'the log')
    const log = await flotilla('node', 'call', address, 'ReadVesselLog', 'v1', ...k(), '--json')
    expect(json<string>(log)).toMatch(/^--- \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: hello\.js ---\nHello World\n$/)
  })

  it("call changes a vessel's advertising and users", async () => {
    const changes = await Promise.all([
      flotilla('node', 'call', address, 'ChangeAdvertise', 'v2', 'false', ...k()),
      flotilla('node', 'call', address, 'ChangeUsers', 'v2', 'alice', ...k()),
    ])
    expect(changes.map((r) => r.code)).toEqual([0, 0])
    const v2 = json<NodeSummary>(await flotilla('node', 'call', address, 'GetVessels', '--json')).vessels[1]!
    expect(v2).toMatchObject({ name: 'v2', advertise: false, userKeys: [v2.ownerKey] })
  })

  it('exit codes: 1 refused, 2 usage mistake, 3 unreachable; a refusal changes nothing', async () => {
    const before = (await flotilla('node', 'call', address, 'GetVessels', '--json')).stdout
    // independent calls, run side by side (each is a CLI process start)
    const [refused, noVessel, bogus, noArgs, notBool, notAddress, noKey, away] = await Promise.all([
      flotilla('node', 'call', address, 'StartVessel', 'v3', 'hello.js'),
      flotilla('node', 'call', address, 'ListFilesInVessel', 'v9', ...k()),
      flotilla('node', 'call', address, 'Bogus'),
      flotilla('node', 'call', address, 'StartVessel'),
      flotilla('node', 'call', address, 'ChangeAdvertise', 'v3', 'maybe'),
      flotilla('node', 'call', 'not-an-address', 'GetVessels'),
      flotilla('node', 'call', address, 'GetVessels', '--key', 'nobody', '--keys', keys),
      flotilla('node', 'call', '/ip4/127.0.0.1/tcp/1', 'GetVessels'),
    ])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe('E_SIGNATURE: StartVessel must be signed\n')
    expect(noVessel).toMatchObject({ code: 1, stderr: "E_NO_VESSEL: no vessel 'v9' on this node\n" })
    expect([bogus.code, noArgs.code, notBool.code, notAddress.code, noKey.code]).toEqual([2, 2, 2, 2, 2])
    expect(away.code).toBe(3)
    expect(away.stderr).toMatch(/^E_UNREACHABLE: cannot reach/)
    const v3 = (r: string) => (JSON.parse(r) as NodeSummary).vessels[2]
    expect(v3((await flotilla('node', 'call', address, 'GetVessels', '--json')).stdout)).toEqual(v3(before))
  }, 120_000)

  it('a second node on a busy port is a clear usage mistake', async () => {
    const port = address.split('/')[4]!
    const busy = await flotilla(
      'node',
      'start',
      '--data',
      join(dir, 'second'),
      '--keys',
      join(dir, 'keys2'),
      '--listen',
      `/ip4/127.0.0.1/tcp/${port}`,
    )
    expect(busy.code).toBe(2)
    expect(busy.stderr).toMatch(/address is in use.*--listen \/ip4\/127\.0\.0\.1\/tcp\/0/)
  })

  it('bad relay settings are usage mistakes that start nothing', async () => {
    const second = ['--data', join(dir, 'relayless'), '--keys', join(dir, 'keys3')]
    const when = await flotilla('node', 'start', ...second, '--relay-reserve', 'sometimes')
    expect(when.code).toBe(2)
    expect(when.stderr).toContain("--relay-reserve must be one of auto, always, never, not 'sometimes'")
    const both = await flotilla('node', 'start', ...second, '--no-relay', '--relay-mb', '5')
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('--no-relay turns off')
    const zero = await flotilla('node', 'start', ...second, '--relay-reservations', '0')
    expect(zero.code).toBe(2)
    expect(zero.stderr).toContain('--relay-reservations must be a whole number')
    expect(existsSync(join(dir, 'relayless'))).toBe(false)
  })
})

describe.concurrent('flotilla node start on a fresh folder', () => {
  it('sets the node up with the defaults, listening where asked, and its vessels get that IP', async () => {
    const fresh = join(dir, 'fresh')
    const p = spawn(
      process.execPath,
      [
        BIN,
        'node',
        'start',
        '--data',
        join(fresh, 'data'),
        '--keys',
        join(fresh, 'keys'),
        '--listen',
        '/ip4/127.0.0.2/tcp/0',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    try {
      const line = await new Promise<string>((resolve) => createInterface({ input: p.stdout }).once('line', resolve))
      const summary = JSON.parse(line) as NodeSummary
      expect(summary.addresses[0]).toMatch(/^\/ip4\/127\.0\.0\.2\/tcp\/\d+\/p2p\//)
      expect(summary.ip).toBe('127.0.0.2')
      expect(summary.vessels.length).toBeGreaterThan(0)
      // the shipped example splits the default vessel; each half keeps its own ports
      const owner = ['--key', 'owner', '--keys', join(fresh, 'keys')]
      const split = await flotilla(
        'node',
        'call',
        summary.addresses[0]!,
        'SplitVessel',
        'v1',
        `@${join(PROJECT, 'examples', 'restrictions.split')}`,
        ...owner,
      )
      expect(split.stderr).toBe('')
      expect(split.code).toBe(0)
      const table = (await flotilla('node', 'call', summary.addresses[0]!, 'GetVessels')).stdout
      expect(table).toMatch(/\n\S+ +Fresh .* 63100-63104\n/)
      expect(table).toMatch(/\n\S+ +Fresh .* 63105-63109\n/)
    } finally {
      p.kill('SIGTERM')
      await new Promise((r) => p.once('exit', r))
    }
  })
})
