// `flotilla node top` against a real node running real vessels: once/JSON output, and the live console driven in
// tmux (table, cpu against quota, log follow, stop, reset, resize, node restart, quit).
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NodeSnapshot } from '../../src/tui/snapshot.js'
import { waitFor } from '../helpers/wait-for.js'
import { TmuxSession } from './fixtures/tmux.js'
import { BUSY_GUEST, TICK_GUEST, runGuest, startTestNode, topCommand, type TestNode } from './fixtures/node.js'

let node: TestNode
let top: string

beforeAll(async () => {
  top = topCommand()
  node = await startTestNode({ vessels: 4, donate: '20%' })
  await runGuest(node.client, 'v1', 'busy.js', BUSY_GUEST)
  await runGuest(node.client, 'v2', 'tick.js', TICK_GUEST)
}, 60_000)

afterAll(async () => {
  await node?.destroy()
})

function runTop(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const [exe, ...rest] = top.split(' ')
  const r = spawnSync(exe!, [...rest, '--node', node.listen, '--keys', node.keys, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const statusOf = async (vessel: string): Promise<string> =>
  (await node.client.call('GetVessels', [])).vessels.find((v) => v.name === vessel)!.status

/** The longest a screen may take to show what a key or the node changed: a deadline, not a wait (each waitFor returns
 *  once the screen shows it); a loaded machine (the whole suite beside other work) took more than 3-8 s. */
const SCREEN_MS = 20_000

const until = (test: () => Promise<boolean>, timeoutMs = 10_000): Promise<true> =>
  waitFor(test, "the console test's condition", timeoutMs, 100)

describe('flotilla node top, one snapshot', () => {
  it("--once prints the vessel table and the running vessels' usage", () => {
    const r = runTop('--once')
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/VESSEL +STATUS +OWNER +USERS +PROGRAM/)
    expect(r.stdout).toMatch(/^v1 +Started .*busy\.js/m)
    expect(r.stdout).toMatch(/^v2 +Started .*tick\.js/m)
    expect(r.stdout).toMatch(/^v3 +Fresh/m)
    expect(r.stdout).toMatch(/^ +cpu +[█▏▎▍▌▋▊▉·]+ +[\d.]+% of [\d.]+%/m)
  })

  it('prints text when stdout is not a terminal, and --json gives the data', () => {
    expect(runTop().stdout).toMatch(/^v1 +Started/m)
    const r = runTop('--json')
    expect(r.status).toBe(0)
    const snap = JSON.parse(r.stdout) as NodeSnapshot
    expect(snap.vessels.map((v) => v.name)).toEqual(['v1', 'v2', 'v3', 'v4'])
    const v1 = snap.vessels[0]!
    expect(v1).toMatchObject({ status: 'Started', program: 'busy.js' })
    const cpu = v1.gauges.find((g) => g.resource === 'cpu')!
    expect(cpu.limit).toBeGreaterThan(0)
    expect(cpu.used).toBeGreaterThan(cpu.limit * 0.4)
    expect(cpu.used).toBeLessThan(cpu.limit * 1.6)
    expect(snap.vessels[2]!.gauges.every((g) => g.used === null)).toBe(true)
  })

  it('user mistakes: one line and exit 3 for an unreachable node, 2 for a missing key or a bad address', () => {
    const [exe, ...rest] = top.split(' ')
    const unreachable = spawnSync(exe!, [...rest, '--node', '/ip4/127.0.0.1/tcp/9', '--keys', node.keys, '--once'], {
      encoding: 'utf8',
    })
    expect(unreachable.status).toBe(3)
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1)
    expect(unreachable.stderr).toMatch(/cannot reach/)
    const noKey = runTop('--key', 'nobody', '--once')
    expect(noKey.status).toBe(2)
    expect(noKey.stderr).toMatch(/^flotilla node top: cannot load key 'nobody': .*no such key file/)
    expect(noKey.stderr.trim().split('\n')).toHaveLength(1)
    const badAddress = spawnSync(exe!, [...rest, '--node', 'nowhere', '--keys', node.keys, '--once'], {
      encoding: 'utf8',
    })
    expect(badAddress.status).toBe(2)
    expect(badAddress.stderr).toMatch(/not a multiaddr/)
  })
})

describe('flotilla node top, live in a terminal', () => {
  const tmux = new TmuxSession(`flotilla-top-${process.pid}`)
  afterAll(() => tmux.kill())

  const usageTitle = (screen: string, vessel: string): boolean =>
    new RegExp(`^${vessel} (Started|Stopped|Fresh)`, 'm').test(screen)

  it("shows the vessels, and the busy vessel's cpu near its quota", async () => {
    tmux.start(`${top} --node ${node.listen} --keys ${node.keys}`, 120, 35)
    // the whole frame: a capture can come while ink is still writing it (seen on a loaded machine: no footer yet)
    const whole = (s: string) => /q quit/.test(s)
    const screen = await tmux.waitFor((s) => /^v4 +Fresh/m.test(s) && whole(s), 15_000, 'the vessel table')
    expect(screen).toMatch(/^VESSEL +STATUS +OWNER +USERS +PROGRAM +UPTIME +CPU\/QUOTA/m)
    expect(screen).toMatch(/^v1 +Started .*busy\.js/m)
    expect(screen).toContain('● connected to')
    expect(screen).toMatch(/↑\/↓ select +Enter log +s stop +r reset +q quit/)
    expect(usageTitle(screen, 'v1')).toBe(true)
    // let a few samples pass, then read v1's cpu cell "used%/quota%"
    await new Promise((r) => setTimeout(r, 2500))
    const cpuCell = /^v1 +Started .*? ([\d.]+)%\/([\d.]+)%/m
    const row = cpuCell.exec(await tmux.waitFor((s) => cpuCell.test(s) && whole(s), 5000, "v1's cpu cell"))
    expect(row).not.toBeNull()
    const [used, quota] = [Number(row![1]), Number(row![2])]
    expect(used).toBeGreaterThan(quota * 0.4)
    expect(used).toBeLessThan(quota * 1.6)
  })

  it("follows a vessel's log live and scrolls it", async () => {
    tmux.keys('Down')
    await tmux.waitFor((s) => usageTitle(s, 'v2'), SCREEN_MS, 'v2 selected')
    tmux.keys('Enter')
    const first = await tmux.waitFor(
      (s) => /^log of v2/m.test(s) && /^tick \d+ at/m.test(s) && /Esc back/.test(s),
      SCREEN_MS,
      'the log of v2',
    )
    const lastTick = (s: string): number => Math.max(...[...s.matchAll(/^tick (\d+) at/gm)].map((m) => Number(m[1])))
    const seen = lastTick(first)
    // a line the guest writes after the view opened shows up
    await tmux.waitFor((s) => lastTick(s) >= seen + 3, SCREEN_MS, 'new log lines')
    expect(first).toMatch(/↑\/↓ PgUp\/PgDn scroll +End follow +Esc back/)
    await tmux.waitFor((s) => /lines, following/.test(s), SCREEN_MS, 'following')
    tmux.keys('PPage')
    await tmux.waitFor((s) => /scrolled back \d+ lines/.test(s), SCREEN_MS, 'scrolled back')
    tmux.keys('End')
    await tmux.waitFor((s) => /lines, following/.test(s), SCREEN_MS, 'following again')
    tmux.keys('Escape')
    await tmux.waitFor((s) => /^VESSEL +STATUS/m.test(s) && !/^log of/m.test(s), SCREEN_MS, 'the table again')
  })

  it('stops a vessel with s, and resets one with r then y (n cancels)', async () => {
    tmux.keys('Up')
    await tmux.waitFor((s) => usageTitle(s, 'v1'), SCREEN_MS, 'v1 selected')
    tmux.keys('s')
    await until(async () => (await statusOf('v1')) === 'Stopped')
    await tmux.waitFor((s) => /v1 stopped/.test(s) && /^v1 +Stopped/m.test(s), SCREEN_MS, 'v1 stopped on screen')

    tmux.keys('r')
    await tmux.waitFor((s) => /Reset v1\? .*\(y\/n\)/.test(s), SCREEN_MS, 'the reset question')
    tmux.keys('n')
    await tmux.waitFor((s) => /reset of v1 cancelled/.test(s), SCREEN_MS, 'cancelled')
    expect(await statusOf('v1')).toBe('Stopped')
    expect(await node.client.call('ListFilesInVessel', ['v1'])).toEqual(['busy.js'])

    tmux.keys('r')
    await tmux.waitFor((s) => /Reset v1\?/.test(s), SCREEN_MS, 'the reset question')
    tmux.keys('y')
    await until(async () => (await statusOf('v1')) === 'Fresh')
    expect(await node.client.call('ListFilesInVessel', ['v1'])).toEqual([])
    await tmux.waitFor((s) => /^v1 +Fresh/m.test(s) && /v1 reset/.test(s), SCREEN_MS, 'v1 reset on screen')
  })

  it('redraws for a smaller terminal', async () => {
    tmux.resize(80, 24)
    const screen = await tmux.waitFor(
      (s) => /^VESSEL +STATUS +USERS +PROGRAM/m.test(s) && /^v4 +Fresh/m.test(s) && /q quit/.test(s),
      5000,
      'the narrow table',
    )
    const lines = screen.split('\n')
    expect(lines.every((l) => [...l].length <= 80)).toBe(true)
    expect(screen).toMatch(/q quit/)
    expect(screen.match(/^VESSEL/gm)).toHaveLength(1) // no leftovers of the wide frame
    tmux.resize(120, 35)
    await tmux.waitFor((s) => /^VESSEL +STATUS +OWNER/m.test(s), SCREEN_MS, 'the wide table again')
  })

  it('survives a node restart and says so', async () => {
    await node.stop()
    // the last snapshot stays on screen
    await tmux.waitFor(
      (s) => /node unreachable for .*reconnecting/.test(s) && /^v4 +Fresh/m.test(s),
      10_000,
      'the unreachable status below the last snapshot',
    )
    await node.start()
    await tmux.waitFor((s) => /reconnected to .* \(unreachable for/.test(s), 15_000, 'the reconnected status')
    await tmux.waitFor((s) => /^v2 +Started/m.test(s), 10_000, 'v2 running again')
  })

  it('quits with q', async () => {
    tmux.keys('q')
    await until(async () => tmux.exitStatus() !== null, 5000)
    expect(tmux.exitStatus()).toBe(0)
  })
})
