// The usage board read from outside the sandbox: SandboxHost.usage(id) shows a running program's items, disk and
// cpu as they change, and null once it has ended (docs/REPY.md, 'The nanny'; the node manager reports it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { SandboxHost } from '../../src/runtime/sandbox.js'
import type { BoardSnapshot } from '../../src/runtime/nanny/usage-board.js'
import type { Outcome } from '../../src/runtime/api/types.js'
import { restrict } from '../helpers/restrict.js'

// Opens 2 files and 2 threads, says so, then writes 1000 bytes and burns cpu every ~50 ms for ~2 s. It says
// 'closing' a while before it closes them, so a snapshot answered before that line arrived shows them all.
const GUEST = String.raw`
const a = openfile('a', true)
const b = openfile('b', true)
const gate = createlock()
gate.acquire(true)
createthread(async () => { await gate.acquire(true); gate.release() })
createthread(async () => { await gate.acquire(true); gate.release() })
// The board is refreshed at most every 100 ms, on a charge: make sure it shows all this before saying so.
await sleep(0.15)
b.writeat('', 0)
log('opened\n')
const t0 = getruntime()
let off = 0
while (getruntime() - t0 < 2) {
  a.writeat('w'.repeat(1000), off); off += 1000
  const t = getruntime(); let x = 0
  while (getruntime() - t < 0.03) for (let i = 0; i < 1000; i++) x += i
  await sleep(0.02)
}
log('closing\n')
await sleep(0.5)
gate.release(); a.close(); b.close()
log('done\n')
`

describe('usage snapshot from outside the sandbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-usage-'))
  let host: SandboxHost
  let output = ''
  let outcome: Outcome | undefined
  const snapshots: Array<{ phase: string; at: number; usage: BoardSnapshot | null }> = []
  let afterExit: BoardSnapshot | null | undefined
  let unknown: BoardSnapshot | null | undefined

  beforeAll(async () => {
    writeFileSync(join(dir, 'main.js'), GUEST)
    let settle!: () => void
    const ended = new Promise<void>((r) => {
      settle = r
    })
    host = await SandboxHost.start(dir, {
      output: (_id, text) => {
        output += text
      },
      exit: (_id, o) => {
        outcome = o
        settle()
      },
      crash: () => settle(),
    })
    host.startVessel({
      vesselId: 'v',
      cwd: dir,
      program: 'main.js',
      callargs: [],
      ip: '127.0.0.1',
      restrictions: parseRestrictions(restrict({ cpu: 0.5, events: 5, filesopened: 4 })),
    })
    const started = performance.now()
    while (outcome === undefined && performance.now() - started < 10_000) {
      const opened = output.includes('opened')
      const usage = await host.usage('v')
      // running: the files and threads were open before the request and not yet closing when its answer came
      const phase = output.includes('closing') ? 'closing' : opened ? 'running' : 'starting'
      if (outcome === undefined) snapshots.push({ phase, at: performance.now() - started, usage })
      await new Promise((r) => setTimeout(r, 100))
    }
    await ended
    afterExit = await host.usage('v')
    unknown = await host.usage('nobody')
  }, 20_000)
  afterAll(async () => {
    await host?.shutdown()
    rmSync(dir, { recursive: true, force: true })
  })

  const running = () => snapshots.filter((s) => s.phase === 'running' && s.usage !== null).map((s) => s.usage!)

  it('the program ran normally while being watched', () => {
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).toBe('opened\nclosing\ndone\n')
    expect(running().length).toBeGreaterThanOrEqual(5)
  })

  it('shows the open files and live threads (main + 2) while it runs', () => {
    const u = running()
    expect(u.every((s) => s.consistent)).toBe(true)
    expect(u.every((s) => s.items.filesopened === 2)).toBe(true)
    expect(u.every((s) => s.items.events === 3)).toBe(true)
  })

  it('shows diskused and cpu seconds increasing', () => {
    const u = running()
    const first = u[0]!
    const all = snapshots.filter((s) => s.usage !== null).map((s) => s.usage!)
    const last = all[all.length - 1]!
    expect(
      last.writes,
      JSON.stringify(
        snapshots.map((s) => [s.phase, Math.round(s.at), s.usage?.writes, s.usage?.diskused, s.usage?.cpuSeconds]),
      ),
    ).toBeGreaterThan(first.writes)
    expect(first.diskused).toBeGreaterThanOrEqual(2 * 4096)
    expect(last.diskused).toBeGreaterThan(first.diskused + 5000)
    expect(last.cpuSeconds).toBeGreaterThan(first.cpuSeconds)
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.diskused).toBeGreaterThanOrEqual(all[i - 1]!.diskused)
      expect(all[i]!.cpuSeconds).toBeGreaterThanOrEqual(all[i - 1]!.cpuSeconds)
    }
    expect(last.memory).toBeGreaterThan(0)
  })

  it('gives null after the program has ended, and for an unknown vessel', () => {
    expect(afterExit).toBeNull()
    expect(unknown).toBeNull()
  })
})
