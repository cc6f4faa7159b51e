// Stopping and starting a node as a user does: Ctrl-C in a real terminal (tmux), SIGTERM to the node, SIGINT to
// the whole process group. Each stop is clean (exit 0, no stack trace) and leaves the running vessel to be started
// again by the next start. A second start on a running node's data folder is refused in one line.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NodeSummary } from '../../src/protocol/results.js'
import { PROJECT, requireBuild, tempDir, waitFor } from '../node/nm-helpers.js'
import { flotilla as runCli, type CliResult } from '../helpers/flotilla-run.js'
import { TmuxSession } from '../tui/fixtures/tmux.js'
import { RingLog } from '../../src/runtime/ring-log.js'
import { nodePaths, vesselLogPrefix } from '../../src/node/node-paths.js'

const BIN = join(PROJECT, 'bin/flotilla')
const STACK = /Error|\n\s+at /
/** Runs until stopped, printing a tick every 0.2 s. */
const FOREVER = "log('started\\n')\nfor (let i = 0; ; i++) { log('tick ' + i + '\\n'); await sleep(0.2) }\n"
let dir: string
const cleanups: Array<() => void> = []

type Run = CliResult
const flotilla = (...args: string[]): Promise<Run> => runCli(args, { cwd: dir })

interface TestNode {
  data: string
  keys: string
  flags: string[]
}

/** A node set up with one vessel owned by the key 'owner', listening on a free loopback port. */
async function initNode(name: string): Promise<TestNode> {
  const data = join(dir, name, 'data')
  const keys = join(dir, name, 'keys')
  const init = await flotilla(
    'node',
    'init',
    '--vessels',
    '1',
    '--listen',
    '/ip4/127.0.0.1/tcp/0',
    '--data',
    data,
    '--keys',
    keys,
  )
  expect(init.code).toBe(0)
  return { data, keys, flags: ['--data', data, '--keys', keys] }
}

/** Uploads and starts the program that runs forever on v1, and waits until it has printed. */
async function startForever(node: TestNode, address: string): Promise<void> {
  const key = ['--key', 'owner', '--keys', node.keys]
  expect(
    (await flotilla('node', 'call', address, 'AddFileToVessel', 'v1', 'forever.js', '@forever.js', ...key)).code,
  ).toBe(0)
  expect((await flotilla('node', 'call', address, 'StartVessel', 'v1', 'forever.js', ...key)).stdout).toBe('Started\n')
  await waitForLog(node, (log) => count(log, 'started') === 1, 'the program to start')
}

/** How many lines of `text` start with `word`. */
const count = (text: string, word: string): number => text.split('\n').filter((line) => line.startsWith(word)).length

/** Waits until v1's log passes `test`. The log is read from its files in the node's folder, not through the node:
 *  the subject here is stopping and starting, and a `node call` per poll would cost a process start each time. */
async function waitForLog(node: TestNode, test: (log: string) => boolean, what: string): Promise<string> {
  const log = new RingLog(vesselLogPrefix(nodePaths(node.data), 'v1'))
  return waitFor(async () => {
    const text = log.read().toString('utf8')
    return test(text) && text
  }, what)
}

/** The node in a child process of its own process group; answers its address once it is ready. */
async function spawnNode(node: TestNode): Promise<{ child: ChildProcess; address: string; output: () => string }> {
  // --no-warm-up: the node runs one small program at most, far less than the warm-up's second of a core
  const child = spawn(process.execPath, [BIN, 'node', 'start', ...node.flags, '--no-warm-up', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL')
  })
  let output = ''
  child.stderr.on('data', (b: Buffer) => {
    output += b.toString()
  })
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve))
  return { child, address: (JSON.parse(line) as NodeSummary).addresses[0]!, output: () => output }
}

const exitOf = (child: ChildProcess): Promise<number | string | null> =>
  new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)))

async function statusOfV1(node: TestNode): Promise<string | undefined> {
  const status = await flotilla('node', 'status', '--json', '--data', node.data)
  return (JSON.parse(status.stdout) as NodeSummary).vessels[0]?.status
}

/** After a stop: the vessel is still to be started, and the next start runs it again. */
async function expectRestarted(node: TestNode): Promise<void> {
  expect(await statusOfV1(node)).toBe('Started')
  const again = await spawnNode(node)
  await waitForLog(node, (log) => count(log, 'started') === 2, 'the program to start again')
  const exited = exitOf(again.child)
  again.child.kill('SIGTERM')
  expect(await exited).toBe(0)
}

beforeAll(() => {
  requireBuild()
  dir = tempDir('flotilla-stop-')
  writeFileSync(join(dir, 'forever.js'), FOREVER)
})
// what a test left running when it failed; at the end of the file, since the stopping tests run side by side
afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
  rmSync(dir, { recursive: true, force: true })
})

/** The node in a real terminal (tmux), started as a user types it; answers its address once it is ready. */
async function nodeInPane(node: TestNode): Promise<{ pane: TmuxSession; address: string }> {
  const pane = new TmuxSession(`flotilla-stop-${process.pid}-${basename(dirname(node.data))}`)
  cleanups.push(() => pane.kill())
  pane.start(`${process.execPath} ${BIN} node start ${node.flags.join(' ')} --no-warm-up`, 200, 40)
  const ready = await pane.waitFor((s) => s.includes('Ctrl-C to stop'), 20_000, 'the node to be ready')
  return { pane, address: /listening on (\S+)/.exec(ready)![1]! }
}

/** Ctrl-C as the terminal sends it; the node must end cleanly. */
async function ctrlC(pane: TmuxSession): Promise<void> {
  pane.keys('C-c')
  await waitFor(async () => pane.exitStatus() !== null, 'the node to exit')
  expect([0, 130]).toContain(pane.exitStatus())
  const screen = pane.capture()
  expect(screen).toMatch(/Z INFO {2}stopping\n/)
  expect(screen).not.toMatch(STACK)
}

// Each test has its own node (its own folder, process group and terminal): they run side by side.
// Each start, stop and restart is a process start or two: 120 s leaves room for a machine whose cores are all busy.
describe.concurrent('stopping a node', { timeout: 120_000 }, () => {
  it('Ctrl-C in its terminal stops an idle node cleanly', async () => {
    const { pane } = await nodeInPane(await initNode('idle'))
    await ctrlC(pane)
  })

  it('Ctrl-C in its terminal stops it cleanly and its running vessel starts again next time', async () => {
    const node = await initNode('ctrl-c')
    const { pane, address } = await nodeInPane(node)
    await startForever(node, address)
    await ctrlC(pane)
    await expectRestarted(node)
  })

  it('SIGTERM to the node stops it cleanly and its running vessel starts again next time', async () => {
    const node = await initNode('sigterm')
    const { child, address, output } = await spawnNode(node)
    await startForever(node, address)
    const exited = exitOf(child)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output()).not.toMatch(STACK)
    await expectRestarted(node)
  })

  it('SIGINT to the sandbox host first and then to the whole process group: its vessels run on, then start again next time', async () => {
    const node = await initNode('group')
    const { child, address, output } = await spawnNode(node)
    await startForever(node, address)
    const host = Number(execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim())
    const ticks = count(await waitForLog(node, () => true, 'the log'), 'tick')
    process.kill(host, 'SIGINT')
    await waitForLog(node, (log) => count(log, 'tick') > ticks + 1, 'the program to go on after its host got SIGINT')
    const exited = exitOf(child)
    process.kill(-child.pid!, 'SIGINT')
    expect([0, 130]).toContain(await exited)
    expect(output()).not.toMatch(STACK)
    await expectRestarted(node)
  })
})

describe('starting a node', () => {
  it('a second start or an init on a running node is refused in one line, exit 2', async () => {
    const node = await initNode('twice')
    const { child } = await spawnNode(node)
    const running = `a node is already running from ${node.data} (pid ${child.pid})\n`
    expect(await flotilla('node', 'start', ...node.flags)).toMatchObject({ code: 2, stderr: `flotilla: ${running}` })
    expect(await flotilla('node', 'init', ...node.flags)).toMatchObject({ code: 2, stderr: `flotilla: ${running}` })
    expect(await flotilla('node', 'init', '--force', ...node.flags)).toMatchObject({
      code: 2,
      stderr: `flotilla: ${running}`,
    })
    const exited = exitOf(child)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('a listen address that is not one of this machine, or not an address at all, is one line, exit 2', async () => {
    const dirs = ['--data', join(dir, 'listen', 'data'), '--keys', join(dir, 'listen', 'keys')]
    const cases = [
      ['init', 'garbage', "--listen 'garbage' is not a multiaddr"],
      ['start', 'garbage', "--listen 'garbage' is not a multiaddr"],
      ['start', '/ip4/192.0.2.1/tcp/5', 'cannot listen on /ip4/192.0.2.1/tcp/5 (EADDRNOTAVAIL'],
    ] as const
    for (const [command, listen, says] of cases) {
      const r = await flotilla('node', command, ...dirs, '--listen', listen)
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`flotilla: ${says}`)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('init --force with a mistake in its options keeps the node it was to replace', async () => {
    const node = await initNode('force')
    const r = await flotilla('node', 'init', '--force', '--ip', '1.2.3.4.5', ...node.flags)
    expect(r).toMatchObject({ code: 2, stderr: "flotilla: --ip '1.2.3.4.5' is not a dotted-quad IPv4 address\n" })
    expect(await statusOfV1(node)).toBe('Fresh')
  })
})
