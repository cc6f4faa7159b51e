// What Seattle's library collection (librepy and the programs it runs) needs of Repy programs: `_context` and its
// copies as SafeDicts, the built-in dylink's module objects, symbol imports and dy_dispatch_module, long integer
// literals and range() over longs, and a new thread's first turn while its creator keeps calling the API. The
// programs in seattlelib/ check themselves (FAIL lines, like programs.test.ts); this file runs them in the real
// sandbox with the library files they import next to them.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { compileRepy } from '../../src/repy/index.js'
import { limiter } from '../helpers/limiter.js'
import { type GuestOptions, type GuestRun } from '../helpers/run-guest.js'
import { sharedGuestHost } from '../helpers/shared-host.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts).
const host = sharedGuestHost()
afterAll(() => host.close())

const DIR = resolve(import.meta.dirname, 'seattlelib')
const source = (name: string) => readFileSync(join(DIR, name), 'utf8')
const files = (...names: string[]) => Object.fromEntries(names.map((n) => [n, source(n)]))

const limited = limiter(3)
function run(name: string, options: GuestOptions = {}): Promise<GuestRun> {
  return limited(() => host.run(source(name), { program: name, timeoutMs: 60_000, ...options }))
}

/** A self-checking program: no output, code 0. */
async function passes(name: string, options: GuestOptions = {}): Promise<void> {
  const { output, outcome } = await run(name, options)
  expect(output).toBe('')
  expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: 0 })
}

describe('namespaces as Repy has them', () => {
  it('_context is a SafeDict, and its copy a SafeDict whose _context is the copy', async () => {
    await passes('context.r2py')
  }, 120_000)

  it("dy_import_module gives a module its _context and _name, and the symbols import copies '_' names", async () => {
    await passes('modules.r2py', { files: files('under_lib.r2py', 'extra_lib.r2py') })
  }, 120_000)

  it('dy_dispatch_module runs the next program in CHILD_CONTEXT with the rest of callargs', async () => {
    await passes('dispatch.r2py', { args: ['dispatched.r2py', 'extra'], files: files('dispatched.r2py') })
  }, 120_000)

  it('dy_dispatch_module of a program that is not there raises, and ends the program', async () => {
    const { outcome } = await run('dispatch.r2py', { args: ['missing.r2py'] })
    expect(outcome).toMatchObject({ status: 'Terminated', code: 6 })
    expect(outcome.reason).toContain('FileNotFoundError')
  }, 120_000)
})

describe('long integers', () => {
  it('a literal of any length compiles', () => {
    expect(() => compileRepy(`x = ${'7'.repeat(617)}\n`, 'long.r2py')).not.toThrow()
    expect(() => compileRepy(`x = 0x${'f'.repeat(5000)}L\n`, 'long.r2py')).not.toThrow()
  })

  it('range() takes longs; xrange() refuses what it cannot hold', async () => {
    await passes('numbers.r2py')
  }, 120_000)
})

describe('threads', () => {
  it('a new thread runs at once, and a thread that keeps calling the API gives way to a ready one', async () => {
    const { output, outcome } = await run('starvation.r2py')
    expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: 0 })
    const [beforeFirstRun, beforeGivingWay] = output.trim().split('\n').map(Number)
    // createthread hands over: the creator's next call is not reached before the new thread has run
    expect(beforeFirstRun).toBe(0)
    // A thread looked at the clock only after a thousand back-edges, and an API call counted as one: it made about
    // 999 calls before giving way. A call now spends 50, so the thread looks every 20 calls and gives way once its
    // 2 ms slice is over (well below 500 calls even where a call takes only a few microseconds).
    expect(beforeGivingWay).toBeGreaterThan(0)
    expect(beforeGivingWay).toBeLessThan(500)
  }, 120_000)
})
