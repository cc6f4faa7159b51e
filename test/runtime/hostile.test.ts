// Hostile guests stay inside: every attempt ends with a clear outcome, nothing outside the vessel changes, the
// test process is unharmed, and a program run afterwards behaves normally.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GENEROUS_RESTRICTIONS, type GuestRun } from '../helpers/run-guest.js'
import { sharedGuestHost } from '../helpers/shared-host.js'
import { CHECKS, okValue, results } from '../helpers/guest-checks.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts): what one does
// must harm no other vessel of the host, nor the next one.
const host = sharedGuestHost()
afterAll(() => host.close())

const SMALL_MEMORY = GENEROUS_RESTRICTIONS.replace(/resource memory \d+/, 'resource memory 8000000')

describe('hostile guests', () => {
  // A sentinel next to the vessel directories (runGuest makes them under the same tmpdir).
  const outside = mkdtempSync(join(tmpdir(), 'flotilla-sentinel-'))
  const sentinel = join(outside, 'sentinel')
  writeFileSync(sentinel, 'untouched')
  const sentinelMtime = statSync(sentinel).mtimeMs
  afterAll(() => rmSync(outside, { recursive: true, force: true }))

  describe('reaching for the host', () => {
    let run: GuestRun
    let r: Map<string, string>
    beforeAll(async () => {
      run = await host.run(
        CHECKS +
          String.raw`
check('process', () => typeof process)
check('require', () => typeof require)
check('module objects', () => [typeof module, typeof exports, typeof __dirname, typeof Buffer, typeof fetch, typeof WebAssembly])
check('Function this', () => { const g = Function('return this')(); return [g === globalThis, typeof g.process, typeof g.require] })
check('constructor.constructor', () => { const g = (() => {}).constructor.constructor('return this')(); return typeof g.process })
check('async constructor', () => typeof (async () => {}).constructor)
check('hidden host function', () => Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith('__')))
check('eval', () => eval('typeof process'))
await acheck('import node:fs', () => import('node:fs'))
await acheck('import fs', () => import('fs'))
await acheck('import child_process', () => import('child_process'))
await acheck('import outside', () => import('../' + ${JSON.stringify('flotilla-sentinel')} + '/sentinel'))
check('open outside', () => openfile('../sentinel', true))
check('open absolute', () => openfile(${JSON.stringify(sentinel)}, false))
check('remove outside', () => removefile('../sentinel'))
check('open proc', () => openfile('/proc/self/environ', false))
`,
      )
      r = results(run.output)
    })

    it('ends normally', () => expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 }))

    it('finds no process, require or Node globals', () => {
      expect(okValue(r, 'process')).toBe('undefined')
      expect(okValue(r, 'require')).toBe('undefined')
      expect(okValue(r, 'module objects')).toEqual([
        'undefined',
        'undefined',
        'undefined',
        'undefined',
        'undefined',
        'undefined',
      ])
      expect(okValue(r, 'eval')).toBe('undefined')
    })

    it('gets only its own global object through Function and constructor tricks', () => {
      expect(okValue(r, 'Function this')).toEqual([true, 'undefined', 'undefined'])
      expect(okValue(r, 'constructor.constructor')).toBe('undefined')
      expect(okValue(r, 'async constructor')).toBe('function')
      expect(okValue(r, 'hidden host function')).toEqual([])
    })

    it('cannot import Node modules or files outside the vessel', () => {
      for (const label of ['import node:fs', 'import fs', 'import child_process', 'import outside']) {
        expect(r.get(label), label).toBe('Error')
      }
    })

    it('cannot name files outside the vessel', () => {
      for (const label of ['open outside', 'open absolute', 'remove outside', 'open proc']) {
        expect(r.get(label), label).toBe('RepyArgumentError')
      }
    })

    it('left the sentinel outside the vessel untouched', () => {
      expect(readFileSync(sentinel, 'utf8')).toBe('untouched')
      expect(statSync(sentinel).mtimeMs).toBe(sentinelMtime)
      expect(readdirSync(outside)).toEqual(['sentinel'])
    })
  })

  describe('tampering with the API', () => {
    let run: GuestRun
    let r: Map<string, string>
    beforeAll(async () => {
      run = await host.run(
        CHECKS +
          String.raw`
const f = openfile('data', true)
f.writeat('real', 0)
check('openfile.call', () => { openfile.call = () => 'evil' })
check('define on function', () => Object.defineProperty(openfile, 'x', { value: 1 }))
check('file prototype', () => { Object.getPrototypeOf(f).readat = () => 'evil' })
check('file method', () => { f.readat = () => 'evil' })
check('setPrototypeOf file', () => Object.setPrototypeOf(f, { readat: () => 'evil' }))
check('assign log', () => { log = () => {} })
check('globalThis.log', () => { globalThis.log = () => {} })
check('delete log', () => delete globalThis.log)
check('exception prototype', () => { FileError.prototype.message = 'evil' })
check('RepyException prototype', () => { RepyException.prototype.toString = () => 'evil' })
check('Error prototype', () => { Error.prototype.evil = true; return 'own realm only' })
check('Function.prototype.call', () => { Function.prototype.call = null; Function.prototype.apply = null; return 'own realm only' })
check('Array.prototype.map', () => { Array.prototype.map = () => []; return 'own realm only' })
check('JSON', () => { JSON.stringify = () => '"evil"'; return 'own realm only' })
`,
      )
      r = results(run.output)
    })

    it('raises TypeError for every change to the API objects and exception classes', () => {
      for (const label of [
        'openfile.call',
        'define on function',
        'file prototype',
        'file method',
        'setPrototypeOf file',
        'assign log',
        'globalThis.log',
        'delete log',
        'exception prototype',
        'RepyException prototype',
      ]) {
        expect(r.get(label), label).toBe('TypeError')
      }
    })

    it('lets Object.defineProperty rebind an API global only in the guest realm (a QuickJS quirk)', async () => {
      // QuickJS does not refuse Object.defineProperty on a non-configurable property of the global object. The guest
      // can only rebind its own name: the function it replaced keeps working and no host power is gained.
      const { output, outcome } = await host.run(`
const original = log
const desc = Object.getOwnPropertyDescriptor(globalThis, 'log')
Object.defineProperty(globalThis, 'log', { value: () => { throw new Error('replaced') } })
original(desc.writable, desc.configurable, '|')
try { openfile('missing', false) } catch (e) { original(e instanceof FileNotFoundError, e.name) }`)
      expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
      expect(output).toBe('false false |true FileNotFoundError')
    })

    it('lets the guest change only its own builtins, and the API keeps working', async () => {
      expect(okValue(r, 'Function.prototype.call')).toBe('own realm only')
      expect(okValue(r, 'Array.prototype.map')).toBe('own realm only')
      expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 })
      const after = await host.run(`
const data = new Uint8Array([115, 116, 105, 108, 108, 0, 111, 107])
Function.prototype.call = null; Function.prototype.apply = null; Array.prototype.map = () => []
Array.prototype[Symbol.iterator] = function* () {}; String.fromCharCode = () => 'evil'
Object.assign = () => ({}); Object.create = () => ({}); Promise.resolve = () => null
const f = openfile('data', true)
f.writeat(data, 0)
createthread(() => log('thread ran '))
await sleep(0.01)
log(f.readat(null, 0), listfiles().length, new FileNotFoundError('x') instanceof FileError)
f.close()`)
      expect(after.outcome).toMatchObject({ status: 'Terminated', code: 0 })
      expect(after.output).toBe('thread ran still\x00ok 2 true')
    })
  })

  describe('exhausting the sandbox', () => {
    it('stops a huge string at the memory quota (code 98 or a caught out-of-memory error)', async () => {
      const { output, outcome } = await host.run(
        `
let s = ''
try { s = 'x'.repeat(50000000) } catch (e) { log('caught', e.name, e.message) }`,
        { restrictions: SMALL_MEMORY },
      )
      if (outcome.code === 0) expect(output).toBe('caught InternalError out of memory')
      else
        expect(outcome).toMatchObject({
          status: 'Terminated',
          code: 98,
          reason: expect.stringContaining('memory quota exceeded') as string,
        })
    })

    it('ends a program that keeps allocating with code 98', async () => {
      const { outcome } = await host.run(`const a = []\nfor (;;) a.push('y'.repeat(1000) + a.length)`, {
        restrictions: SMALL_MEMORY,
      })
      expect(outcome).toMatchObject({ status: 'Terminated', code: 98 })
      expect(outcome.reason).toContain('memory quota exceeded (8000000 bytes)')
    })

    it('turns deep recursion into a catchable InternalError, and an uncaught one into code 6 with a bounded reason', async () => {
      const { output, outcome } = await host.run(`
const f = (n) => f(n + 1) + 1
try { f(0) } catch (e) { log(e instanceof Error, e.name, e.message, '\\n') }
f(0)`)
      expect(output).toBe('true InternalError stack overflow \n')
      expect(outcome.code).toBe(6)
      expect(outcome.reason).toContain('InternalError: stack overflow')
      expect(outcome.reason).toContain('more frames')
      expect(outcome.reason.length).toBeLessThan(5000)
    })

    it('stops an infinite loop when asked (status Stopped, code 44)', async () => {
      const { output, outcome } = await host.run(`log('looping')\nfor (;;) {}`, {
        stopWhen: (o) => o.includes('looping'),
      })
      expect(output).toBe('looping')
      expect(outcome).toMatchObject({ status: 'Stopped', code: 44 })
    })

    it('stops an infinite loop in a thread too', async () => {
      const { outcome } = await host.run(`createthread(() => { log('spinning'); for (;;) {} })\nawait sleep(10)`, {
        stopWhen: (o) => o.includes('spinning'),
      })
      expect(outcome).toMatchObject({ status: 'Stopped', code: 44 })
    })
  })

  describe('strange things thrown', () => {
    it.each([
      ['42', 'thrown value: 42'],
      ['null', 'thrown value: null'],
      ['undefined', 'thrown value: undefined'],
      ["'a string'", 'thrown value: a string'],
      ['{ a: 1 }', 'thrown value: {"a":1}'],
      ['Symbol("s")', 'thrown value: Symbol(s)'],
    ])('throw %s ends with code 6 and says what was thrown', async (value, reason) => {
      const { outcome } = await host.run(`throw ${value}`)
      expect(outcome.code).toBe(6)
      expect(outcome.reason).toContain(reason)
    })

    it('survives an Error whose message getter and toString throw', async () => {
      const { outcome } = await host.run(`
const e = new Error('x')
Object.defineProperty(e, 'message', { get() { throw new Error('getter') } })
e.toString = () => { throw 1 }
throw e`)
      expect(outcome.status).toBe('Terminated')
      expect(outcome.code).toBe(6)
      expect(outcome.reason).toContain('unprintable')
    })

    it('survives a thrown Proxy whose traps all throw', async () => {
      const { outcome } = await host.run(`
const trap = () => { throw new Error('trap') }
throw new Proxy({}, { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap })`)
      expect(outcome.code).toBe(6)
      expect(outcome.reason).toContain('uncaught exception in the main program')
    })

    it('survives a thread that throws a hostile value', async () => {
      const { outcome } = await host.run(`
createthread(() => { throw { toJSON() { throw new Error('no') }, toString() { throw new Error('no') } } })`)
      expect(outcome.code).toBe(30)
      expect(outcome.reason).toContain('_EVENT:Thread:1')
    })
  })

  it('keeps running after an unhandled promise rejection (quickjs-emscripten 0.32 exposes no hook for it)', async () => {
    const { output, outcome } = await host.run(
      `
Promise.reject(new Error('nobody handles this'))
import('node:fs')
createthread(async () => { Promise.reject(new FileError('nor this')) })
await sleep(0.05)
log('continued')`,
      { timeoutMs: 10_000 },
    )
    expect(output).toBe('continued')
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
  })

  it('leaves the test process fine, and the next program runs normally', async () => {
    expect(process.memoryUsage().rss).toBeGreaterThan(0)
    const { output, outcome } = await host.run(`log('Hello World\\n')`)
    expect(output).toBe('Hello World\n')
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0, reason: 'finished' })
    expect(readFileSync(sentinel, 'utf8')).toBe('untouched')
  })
})
