// A node's sandbox host keeps a worker thread booted for the next vessel: each vessel gets an engine of its own and
// finds nothing of another vessel, whether it takes the spare, a thread an earlier vessel used (thread-reuse.test.ts),
// or starts a thread beside others starting.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import type { ExpectedVessel } from '../../src/runtime/sandbox.js'
import { FRONT_ENDS_MODULE } from '../../src/front-ends.js'
import type { Outcome } from '../../src/runtime/api/types.js'
import { GENEROUS_RESTRICTIONS } from '../helpers/run-guest.js'
import { startWatchedHost } from '../helpers/vessel-host.js'

const root = mkdtempSync(join(tmpdir(), 'flotilla-spare-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const restrictions = parseRestrictions(GENEROUS_RESTRICTIONS)

// What a program could find of an earlier one in its thread: globals it left, or an ended vessel's mycontext.
const PROGRAM = `
log(typeof globalThis.leftBehind, Object.keys(mycontext).length, callargs[0])
globalThis.leftBehind = callargs[0]
mycontext.mark = callargs[0]
`

/** A long-lived host (it keeps a spare thread); run() starts a vessel of one program file and answers its outcome. */
async function spareHost(options: { frontEnds?: string; expected?: ExpectedVessel } = {}) {
  const { host, outputs, ending } = await startWatchedHost(root, { longLived: true, ...options })
  const run = (id: string, program: string, source: string, limits = restrictions): Promise<Outcome> => {
    const cwd = join(root, id)
    mkdirSync(cwd)
    writeFileSync(join(cwd, program), source)
    const outcome = ending(id)
    host.startVessel({ vesselId: id, cwd, program, callargs: [id], ip: '127.0.0.1', restrictions: limits })
    return outcome
  }
  return { host, outputs, run }
}

describe("a node's sandbox host", () => {
  it('gives every vessel a fresh engine, one after another and several at once', async () => {
    const { host, outputs, run: runIn } = await spareHost()
    const run = (id: string): Promise<Outcome> => runIn(id, 'p.js', PROGRAM)
    try {
      for (const id of ['a', 'b', 'c']) expect(await run(id)).toMatchObject({ status: 'Terminated', code: 0 })
      const together = await Promise.all(['d', 'e', 'f', 'g'].map(run))
      for (const outcome of together) expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
      for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) expect(outputs.get(id)).toBe(`undefined 0 ${id}`)
    } finally {
      await host.shutdown()
    }
  })

  it('runs JavaScript and Repy programs on threads that loaded the front-end registry while they waited', async () => {
    const { host, outputs, run } = await spareHost({ frontEnds: FRONT_ENDS_MODULE })
    try {
      expect(await run('js1', 'p.js', 'log(callargs[0])')).toMatchObject({ status: 'Terminated', code: 0 })
      expect(await run('py1', 'p.r2py', 'log(callargs[0] + "\\n")\n')).toMatchObject({ status: 'Terminated', code: 0 })
      // the spare after a Repy program loaded the Python runtime ahead
      expect(await run('py3', 'p.r2py', 'log(callargs[0] + "\\n")\n')).toMatchObject({ code: 0 })
      expect(await run('py2', 'p.r2py', 'import os\n')).toMatchObject({ code: 5 })
      // and a JavaScript program after it gets an engine without it
      const js2 = 'const n: string = callargs[0]\nlog(n, typeof globalThis.__flotilla_repy, typeof mycontext.x)'
      expect(await run('js2', 'p.ts', js2)).toMatchObject({ code: 0 })
      expect(Object.fromEntries(outputs)).toMatchObject({
        js1: 'js1',
        py1: 'py1\n',
        py3: 'py3\n',
        js2: 'js2 undefined undefined',
      })
    } finally {
      await host.shutdown()
    }
  })

  it('a front-end registry that cannot be loaded fails each start with the reason, as when loaded on arrival', async () => {
    const { host, run } = await spareHost({ frontEnds: 'no-such-registry.js' })
    try {
      for (const id of ['bad1', 'bad2']) {
        const o = await run(id, 'p.js', 'log(1)')
        expect(o.status).toBe('Terminated')
        expect(o.code).not.toBe(0)
        expect(o.reason).toMatch(/no-such-registry/)
      }
    } finally {
      await host.shutdown()
    }
  })

  it("gives a vessel an engine without the runtime of another language than its program's", async () => {
    // the first spare is made for a Repy program, and the first vessel takes it
    const memoryQuota = restrictions.limits.memory
    const expectingRepy = await spareHost({
      frontEnds: FRONT_ENDS_MODULE,
      expected: { memoryQuota, program: 'x.r2py' },
    })
    try {
      const js = 'log(callargs[0], typeof globalThis.__flotilla_repy)'
      expect(await expectingRepy.run('js-on-repy-spare', 'p.js', js)).toMatchObject({ code: 0 })
      expect(expectingRepy.outputs.get('js-on-repy-spare')).toBe('js-on-repy-spare undefined')
    } finally {
      await expectingRepy.host.shutdown()
    }
    const expectingJs = await spareHost({ frontEnds: FRONT_ENDS_MODULE, expected: { memoryQuota, program: 'x.js' } })
    try {
      expect(await expectingJs.run('py-on-js-spare', 'p.r2py', 'log(callargs[0] + "\\n")\n')).toMatchObject({ code: 0 })
      expect(expectingJs.outputs.get('py-on-js-spare')).toBe('py-on-js-spare\n')
    } finally {
      await expectingJs.host.shutdown()
    }
  })

  // The engine's WebAssembly memory is capped when it is made (guest-engine.ts), before the spare knows its vessel.
  it("caps each vessel's memory for its own quota, whatever quota the spare's engine was made for", async () => {
    const SMALL = 8_000_000
    const LARGE = 200_000_000
    const small = parseRestrictions(GENEROUS_RESTRICTIONS.replace(/resource memory \d+/, `resource memory ${SMALL}`))
    const large = parseRestrictions(GENEROUS_RESTRICTIONS.replace(/resource memory \d+/, `resource memory ${LARGE}`))
    // 64 MB at once: past the small quota's cap (it fails in the guest), within the large quota's
    const ALLOCATE = `try { const a = new Uint8Array(64000000); log('allocated ' + a.length) } catch (e) { log('refused') }`
    const expectingSmall = await spareHost({ expected: { memoryQuota: SMALL } })
    try {
      expect(await expectingSmall.run('big1', 'p.js', ALLOCATE, large)).toMatchObject({ code: 0 })
      expect(expectingSmall.outputs.get('big1')).toBe('allocated 64000000')
    } finally {
      await expectingSmall.host.shutdown()
    }
    const expectingLarge = await spareHost({ expected: { memoryQuota: LARGE } })
    try {
      expect(await expectingLarge.run('small1', 'p.js', ALLOCATE, small)).toMatchObject({ code: 0 })
      expect(expectingLarge.outputs.get('small1')).toBe('refused')
      // the spare after it was made for the last vessel's quota, and serves the next one alike
      expect(await expectingLarge.run('small2', 'p.js', ALLOCATE, small)).toMatchObject({ code: 0 })
      expect(expectingLarge.outputs.get('small2')).toBe('refused')
    } finally {
      await expectingLarge.host.shutdown()
    }
  })
})
