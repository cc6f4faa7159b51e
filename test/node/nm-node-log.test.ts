// The node's own log (<data>/logs/node.log.old|.new), from real node managers on 127.0.0.1 and the real CLI: each
// request is one entry (caller's key fingerprint, peer, call, vessels, result) at its level; internal errors keep
// their cause chain; a flood of refusals is cut short and summarised; the ring keeps its size; `flotilla node log`
// prints it.
/* eslint-disable @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers (expect.stringMatching, …) are typed any */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ClientTransport } from '../../src/client/node-client.js'
import { keyFingerprint } from '../../src/keys/key-text.js'
import { encodeRequest } from '../../src/protocol/messages.js'
import { readNodeLog } from '../../src/node/node-log-reader.js'
import { nodeLogPrefix, nodePaths } from '../../src/node/node-paths.js'
import type { LogEntry } from '../../src/node/node-log.js'
import { flotilla } from '../helpers/flotilla-run.js'
import { HELLO, enc, outcome, startTestNode, waitFor, type TestNode } from './nm-helpers.js'

let node: TestNode | undefined
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await node?.stop()
  node = undefined
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const entries = (n: TestNode): LogEntry[] => readNodeLog(nodeLogPrefix(nodePaths(n.dataDir))) ?? []
const requestsOf = (n: TestNode, call: string): LogEntry[] => entries(n).filter((e) => e.call === call)

describe('the node log', () => {
  it('logs each request once: who, from where, what, on which vessel, how it went, at its level', async () => {
    node = await startTestNode()
    const owner = await node.client('owner')
    const stranger = await node.client('stranger')
    const anonymous = await node.client('none')
    await owner.call('AddFileToVessel', ['v1', 'hello.js', enc(HELLO)])
    expect(await outcome(stranger.call('StopVessel', ['v1']))).toBe('E_PERMISSION')
    expect(await outcome(anonymous.call('ResetVessel', ['v2']))).toBe('E_SIGNATURE')
    expect(await outcome(owner.call('StopVessel', ['v3']))).toBe('E_STATE')
    await anonymous.getVessels()

    const peer = node.nm.node.getConnections()[0]?.remotePeer.toString()
    const fingerprint = keyFingerprint(node.keys.owner.publicKeyText)
    expect(fingerprint).toHaveLength(10)
    expect(requestsOf(node, 'AddFileToVessel')).toEqual([
      expect.objectContaining({
        level: 'info',
        caller: fingerprint,
        key: node.keys.owner.publicKeyText,
        vessels: ['v1'],
        result: 'ok',
        peer,
        msg: expect.stringMatching(
          new RegExp(`^AddFileToVessel v1 by ${fingerprint.replace(/[+/]/g, '\\$&')} from 12D3KooW.*: ok$`),
        ),
      }),
    ])
    // refusals at warn, with their code; an allowed caller's failure is an answer, at info
    expect(requestsOf(node, 'StopVessel').map((e) => [e.level, e.caller, e.vessels, e.result])).toEqual([
      ['warn', keyFingerprint(node.keys.stranger.publicKeyText), ['v1'], 'E_PERMISSION'],
      ['info', fingerprint, ['v3'], 'E_STATE'],
    ])
    expect(requestsOf(node, 'ResetVessel')).toEqual([
      expect.objectContaining({ level: 'warn', caller: 'anonymous', key: null, result: 'E_SIGNATURE' }),
    ])
    // the public calls clients poll are at debug: not in a log kept at info
    expect(requestsOf(node, 'GetVessels')).toEqual([])
    // the program's start and end
    await owner.call('StartVessel', ['v1', 'hello.js', []])
    await waitFor(async () => entries(node!).find((e) => e.event === 'ended'), 'the end of hello.js in the node log')
    expect(
      entries(node)
        .filter((e) => e.vessel === 'v1')
        .map((e) => e.msg),
    ).toEqual(['v1 started: hello.js', 'v1 ended: Terminated, exit code 0 (finished)'])
  })

  it('keeps an internal error whole: the message, the stack and its cause, at error; the requester gets E_INTERNAL only', async () => {
    node = await startTestNode()
    const owner = await node.client('owner')
    // v2's directory replaced by a file: listing it fails in a way the node does not expect
    const dir = join(node.dataDir, 'files', 'v2')
    rmSync(dir, { recursive: true, force: true })
    writeFileSync(dir, 'not a directory')
    expect(await outcome(owner.call('ListFilesInVessel', ['v2']))).toBe('E_INTERNAL')
    const [entry] = requestsOf(node, 'ListFilesInVessel')
    expect(entry).toMatchObject({
      level: 'error',
      result: 'E_INTERNAL',
      error: 'cannot list the files of v2 (ENOTDIR)',
      vessels: ['v2'],
    })
    expect(entry!.msg).toMatch(
      /^internal error in ListFilesInVessel v2 by \S+ from 12D3KooW\S+: E_INTERNAL cannot list the files of v2 \(ENOTDIR\)$/,
    )
    expect(entry!.detail).toMatch(/^Error: cannot list the files of v2 \(ENOTDIR\)\n {4}at /)
    expect(entry!.detail).toMatch(/\ncaused by: Error: ENOTDIR: not a directory, scandir '.*\/files\/v2'/)
  })

  it('writes at most a few lines of a flood of refusals, says how many it dropped, and keeps what came before', async () => {
    const perKind = 5
    const transport = await ClientTransport.create()
    cleanups.push(() => transport.close())
    node = await startTestNode({ transport, node: { log: { bytes: 16 * 1024, flood: { perKind } } } })
    const owner = await node.client('owner')
    const stranger = await node.client('stranger')
    await owner.call('ListFilesInVessel', ['v1'])
    const flood = 100
    for (let i = 0; i < flood; i++) expect(await outcome(stranger.call('StopVessel', ['v1']))).toBe('E_PERMISSION')
    // a line a peer sends cannot pose as an entry of its own: the call's name is data inside one entry
    const forged = 'X\n2030-01-01T00:00:00.000Z INFO  ChangeOwner v1: ok'
    const refused = await transport.exchange(owner.address, encodeRequest({ call: forged, args: [] }))
    expect(refused).toMatchObject({ ok: false, code: 'E_UNKNOWN_CALL' })
    await owner.call('ListFilesInVessel', ['v2'])
    const peer = transport.node.peerId.toString()
    await node.nm.stop()

    const log = entries(node)
    expect(log.filter((e) => e.call === 'ListFilesInVessel').map((e) => e.vessels)).toEqual([['v1'], ['v2']])
    expect(log.filter((e) => e.result === 'E_PERMISSION')).toHaveLength(perKind)
    expect(log.filter((e) => e.dropped !== undefined)).toEqual([
      expect.objectContaining({
        level: 'warn',
        peer,
        dropped: flood - perKind,
        kinds: { E_PERMISSION: flood - perKind },
        msg: expect.stringMatching(
          new RegExp(
            `^dropped ${flood - perKind} log lines about requests from 12D3KooW\\S+ \\(E_PERMISSION ${flood - perKind}\\): at most ${perKind} of one kind per peer`,
          ),
        ),
      }),
    ])
    expect(log.filter((e) => e.result === 'E_UNKNOWN_CALL').map((e) => [e.call, e.caller])).toEqual([
      [forged, 'anonymous'],
    ])

    // the CLI prints the entry on one line, the line break as an escape
    const text = await flotilla(['node', 'log', '--data', node.dataDir])
    expect(text).toMatchObject({ code: 0, stderr: '' })
    const lines = text.stdout.trimEnd().split('\n')
    expect(lines).toContainEqual(
      expect.stringMatching(/ WARN {2}X\\u000a2030-01-01T00:00:00.000Z INFO {2}ChangeOwner v1: ok by anonymous from /),
    )
    expect(lines.filter((l) => !/^\d{4}-\d\d-\d\dT[\d:.]{12}Z (ERROR|WARN |INFO |DEBUG) /.test(l))).toEqual([])
    expect(lines.filter((l) => l.startsWith('2030-'))).toEqual([])
  })

  it('stays within its size: the oldest entries make room, what is kept reads back whole', async () => {
    const bytes = 4096
    node = await startTestNode({ node: { log: { bytes } } })
    const owner = await node.client('owner')
    const prefix = nodeLogPrefix(nodePaths(node.dataDir))
    const size = (): number => [`${prefix}.old`, `${prefix}.new`].reduce((n, p) => n + (statSafe(p) ?? 0), 0)
    const calls = 60
    for (let i = 1; i <= calls; i++) {
      await owner.call('ChangeOwnerInformation', ['v1', `call ${i}`])
      expect(size()).toBeLessThanOrEqual(bytes)
    }
    // the oldest entries are gone (the node's start among them); every whole line the files hold reads back
    const kept = entries(node)
    expect(kept.length).toBeLessThan(calls)
    expect(kept.some((e) => e.event === 'started')).toBe(false)
    const held = Buffer.concat([`${prefix}.old`, `${prefix}.new`].map((p) => readFileSync(p))).toString('utf8')
    expect(kept.length).toBeGreaterThanOrEqual(held.split('\n').length - 2)
    expect(kept.at(-1)).toMatchObject({ call: 'ChangeOwnerInformation', vessels: ['v1'], result: 'ok' })
    const times = kept.map((e) => e.time)
    expect([...times].sort()).toEqual(times)
  })
})

describe('flotilla node log', () => {
  it('prints the log of a running node and of a stopped one, as text or JSON lines; --lines, --level', async () => {
    node = await startTestNode()
    const owner = await node.client('owner')
    await owner.call('ListFilesInVessel', ['v1'])
    expect(await outcome((await node.client('none')).call('StopVessel', ['v1']))).toBe('E_SIGNATURE')

    const running = await flotilla(['node', 'log', '--data', node.dataDir])
    expect(running).toMatchObject({ code: 0, stderr: '' })
    const lines = running.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}set up a new node 12D3KooW/)
    expect(lines).toContainEqual(expect.stringMatching(/ INFO {2}ListFilesInVessel v1 by \S{10} from 12D3KooW\S+: ok$/))
    expect(lines).toContainEqual(
      expect.stringMatching(
        / WARN {2}StopVessel v1 by anonymous from 12D3KooW\S+: E_SIGNATURE StopVessel must be signed$/,
      ),
    )

    await node.nm.stop()
    const json = await flotilla(['node', 'log', '--data', node.dataDir, '--json'])
    expect(json.code).toBe(0)
    const parsed = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as LogEntry)
    expect(parsed.map((e) => e.msg)).toEqual([...lines.map((l) => l.slice(31)), 'node stopped'])
    expect(parsed.at(-1)).toMatchObject({ level: 'info', event: 'stopped' })

    const last = await flotilla(['node', 'log', '--data', node.dataDir, '--json', '--lines', '2'])
    expect(
      last.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as LogEntry).msg),
    ).toEqual(parsed.slice(-2).map((e) => e.msg))
    const warnings = (await flotilla(['node', 'log', '--data', node.dataDir, '--level', 'warn'])).stdout
      .trimEnd()
      .split('\n')
    expect(warnings).toContainEqual(expect.stringMatching(/ WARN {2}StopVessel v1 by anonymous /))
    expect(warnings.filter((l) => !/^\S+ (WARN |ERROR) /.test(l))).toEqual([])
  })

  it('says when there is no log, refuses bad options, and has --help', async () => {
    const empty = join(node?.dir ?? '/tmp', `no-node-${process.pid}`)
    mkdirSync(empty, { recursive: true })
    try {
      const none = await flotilla(['node', 'log', '--data', empty])
      expect(none).toMatchObject({
        code: 2,
        stdout: '',
        stderr: expect.stringMatching(/holds no node log .*has a node run from/),
      })
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
    expect(await flotilla(['node', 'log', '--lines', '0'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--lines must be a whole number > 0/),
    })
    expect(await flotilla(['node', 'log', '--level', 'loud'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--level must be one of error, warn, info, debug/),
    })
    const help = await flotilla(['node', 'log', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/--lines <n>[\s\S]*--level <level>[\s\S]*--json[\s\S]*node\.log\.old/)
  })
})

function statSafe(path: string): number | undefined {
  try {
    return statSync(path).size
  } catch {
    return undefined
  }
}
