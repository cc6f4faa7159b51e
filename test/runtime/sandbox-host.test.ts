// The sandbox host as the node manager uses it: many vessels in one process, started at once.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { SandboxHost } from '../../src/runtime/sandbox.js'
import { FRONT_ENDS_MODULE } from '../../src/front-ends.js'
import type { Outcome } from '../../src/runtime/api/types.js'
import { GENEROUS_RESTRICTIONS } from '../helpers/run-guest.js'

const root = mkdtempSync(join(tmpdir(), 'flotilla-host-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('sandbox host', () => {
  // Regression: when every worker compiled QuickJS itself, six or more starting together could all hang.
  it('runs 20 vessels started at the same moment, each to its own end', async () => {
    const outputs = new Map<string, string>()
    const outcomes = new Map<string, Outcome>()
    let allDone!: () => void
    const done = new Promise<void>((r) => {
      allDone = r
    })
    const host = await SandboxHost.start(root, {
      output: (id, text) => outputs.set(id, (outputs.get(id) ?? '') + text),
      exit: (id, outcome) => {
        outcomes.set(id, outcome)
        if (outcomes.size === 20) allDone()
      },
    })
    const restrictions = parseRestrictions(GENEROUS_RESTRICTIONS)
    for (let i = 1; i <= 20; i++) {
      const cwd = join(root, `v${i}`)
      mkdirSync(cwd)
      writeFileSync(join(cwd, 'p.js'), `await sleep(0.05); log('vessel ${i} ran with', callargs[0])`)
      host.startVessel({
        vesselId: `v${i}`,
        cwd,
        program: 'p.js',
        callargs: [`arg${i}`],
        ip: '127.0.0.1',
        restrictions,
      })
    }
    await done
    await host.shutdown()
    for (let i = 1; i <= 20; i++) {
      expect(outcomes.get(`v${i}`)).toMatchObject({ status: 'Terminated', code: 0 })
      expect(outputs.get(`v${i}`)).toBe(`vessel ${i} ran with arg${i}`)
    }
  }, 60_000)

  // The host ends itself with SIGKILL once the parent has every message (an orderly exit waits for V8's compiler).
  it('shuts down with every running vessel reported stopped, and no crash', async () => {
    const cwd = join(root, 'sleeper')
    mkdirSync(cwd)
    writeFileSync(join(cwd, 'p.js'), "log('up')\nwhile (true) await sleep(1)")
    let up!: () => void
    const started = new Promise<void>((r) => {
      up = r
    })
    const outcomes: Outcome[] = []
    const crashes: string[] = []
    const host = await SandboxHost.start(root, {
      output: () => up(),
      exit: (_id, outcome) => outcomes.push(outcome),
      crash: (reason) => crashes.push(reason),
    })
    host.startVessel({
      vesselId: 'sleeper',
      cwd,
      program: 'p.js',
      callargs: [],
      ip: '127.0.0.1',
      restrictions: parseRestrictions(GENEROUS_RESTRICTIONS),
    })
    await started
    // the default 2 s before a kill can run out on a loaded machine, and then the exit goes unreported
    await host.shutdown(30_000)
    expect(outcomes).toEqual([{ status: 'Stopped', code: 44, reason: 'the sandbox host is shutting down' }])
    expect(crashes).toEqual([])
    expect(host.running).toBe(false)
  })

  // timer-slack.ts: threads that Linux may wake up to 50 µs late made a guest's sleep(0.0001) last 190 µs. Linux
  // shows the main thread's slack alone; each thread the host starts after it inherits it.
  it("the host's main thread waits with a timer slack of 1 ns, set before its vessel threads start", async () => {
    const host = await SandboxHost.start(root, { output: () => undefined, exit: () => undefined })
    const slack = readFileSync(`/proc/${host.pid}/timerslack_ns`, 'utf8')
    await host.shutdown(30_000)
    expect(Number(slack)).toBe(1)
  })

  // engine-warm-up.ts: the thread runs under the host's permissions (it loads the languages' runtime scripts from the
  // registry) and alongside vessels started at once.
  it("a node's host warms the engine up in the background while a vessel started at once runs", async () => {
    const cwd = join(root, 'early')
    mkdirSync(cwd)
    writeFileSync(join(cwd, 'p.js'), "let t = 0; for (let i = 0; i < 100000; i++) t += i; log('sum', t)")
    let warmed!: (r: { ms: number; error?: string }) => void
    const warmUp = new Promise<{ ms: number; error?: string }>((r) => (warmed = r))
    let exited!: (o: Outcome) => void
    const exit = new Promise<Outcome>((r) => (exited = r))
    let output = ''
    const host = await SandboxHost.start(
      root,
      {
        output: (_id, text) => (output += text),
        exit: (_id, o) => exited(o),
        warmedUp: (ms, error) => warmed({ ms, error }),
      },
      { longLived: true, frontEnds: FRONT_ENDS_MODULE },
    )
    host.startVessel({
      vesselId: 'early',
      cwd,
      program: 'p.js',
      callargs: [],
      ip: '127.0.0.1',
      restrictions: parseRestrictions(GENEROUS_RESTRICTIONS),
    })
    expect(await exit).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).toBe('sum 4999950000')
    const result = await warmUp
    expect(result.error).toBeUndefined()
    expect(result.ms).toBeGreaterThan(0)
    await host.shutdown(30_000)
  })

  it('reports a crash of the sandbox host process to its parent', async () => {
    let crashed!: (reason: string) => void
    const crash = new Promise<string>((r) => {
      crashed = r
    })
    const host = await SandboxHost.start(root, { crash: (reason) => crashed(reason) })
    process.kill(host.pid!, 'SIGKILL')
    expect(await crash).toMatch(/killed by SIGKILL/)
    expect(host.running).toBe(false)
  })
})
