// Hostile guests at the boundary between the guest and the host: giant exception names and messages, giant output,
// arguments that would be costly to copy, and a program that rewires its own builtins (prototype setters,
// Symbol.hasInstance, Symbol.species, a replaced Promise.prototype.then) to reach the prelude's hidden host calls.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { SandboxHost } from '../../src/runtime/sandbox.js'
import { MessageChannel } from 'node:worker_threads'
import { MAX_OUTPUT_CHUNK_CHARS, MAX_REASON_CHARS } from '../../src/runtime/cap-text.js'
import { MAIN_THREAD, threadOps } from '../../src/runtime/api/threads.js'
import { createNanny } from '../../src/runtime/nanny/create-nanny.js'
import { threadCpuSeconds } from '../../src/runtime/nanny/thread-cpu.js'
import { NetChannel } from '../../src/runtime/net/channel.js'
import { RepyError } from '../../src/runtime/errors.js'
import { OutBytes, type GuestValue, type Outcome, type VesselEnv } from '../../src/runtime/api/types.js'
import { Later } from '../../src/runtime/later.js'
import { sharedGuestHost } from '../helpers/shared-host.js'
import { restrict } from '../helpers/restrict.js'
import { CHECKS, okValue, results } from '../helpers/guest-checks.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts): what one does
// must harm no other vessel of the host, nor the next one.
const guests = sharedGuestHost()
afterAll(() => guests.close())

const root = mkdtempSync(join(tmpdir(), 'flotilla-boundary-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A sandbox host whose vessels' output messages and exits are recorded; `exited(id)` waits for one's exit. */
async function recordingHost() {
  const outputs = new Map<string, string[]>()
  const exits = new Map<string, Outcome>()
  const waiting = new Map<string, (o: Outcome) => void>()
  let crash: string | null = null
  const host = await SandboxHost.start(root, {
    output: (id, text) => outputs.set(id, [...(outputs.get(id) ?? []), text]),
    exit: (id, outcome) => {
      exits.set(id, outcome)
      waiting.get(id)?.(outcome)
    },
    crash: (reason) => {
      crash = reason
      for (const w of waiting.values()) w({ status: 'Terminated', code: 70, reason })
    },
  })
  const start = (id: string, source: string, restrictions: string) => {
    const cwd = join(root, id)
    mkdirSync(cwd)
    writeFileSync(join(cwd, 'main.js'), source)
    host.startVessel({
      vesselId: id,
      cwd,
      program: 'main.js',
      callargs: [],
      ip: '127.0.0.1',
      restrictions: parseRestrictions(restrictions),
    })
    return cwd
  }
  const exited = (id: string) =>
    new Promise<Outcome>((resolve) => {
      const done = exits.get(id)
      if (done || crash) resolve(done ?? { status: 'Terminated', code: 70, reason: crash! })
      else waiting.set(id, resolve)
    })
  const outputOf = (id: string) => outputs.get(id) ?? []
  return { host, start, exited, outputOf, crashed: () => crash }
}

/** A vessel that runs until the test writes the file `go` into its directory, then ends normally. */
const CALM = `log('calm up\\n')\nwhile (listfiles().indexOf('go') < 0) await sleep(0.02)\nlog('calm done\\n')\n`

const expectCut = (reason: string) => {
  expect(reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS)
  expect(reason).toMatch(/\[\.\.\. cut: \d+ more characters\]/)
}

describe('giant exception names, messages and output', () => {
  // 1e8 characters aborted the whole sandbox host before reasons were capped (FATAL ERROR: Reached heap limit in
  // ValueSerializer::WriteString); every other vessel ended with "killed by SIGABRT".
  it('an Error with a 100,000,000-character name ends only its own vessel, with a capped reason', async () => {
    const { host, start, exited, outputOf, crashed } = await recordingHost()
    try {
      const calmDir = start('calm', CALM, restrict({}))
      start(
        'bomb',
        `const e = new Error('boom'); e.name = 'X'.repeat(1e8); throw e`,
        restrict({ memory: 1_000_000_000 }),
      )
      const bomb = await exited('bomb')
      expect(crashed()).toBeNull()
      expect(bomb).toMatchObject({ status: 'Terminated', code: 6 })
      expectCut(bomb.reason)
      expect(bomb.reason).toMatch(/^uncaught exception in the main program: XXXX/)
      writeFileSync(join(calmDir, 'go'), '')
      expect(await exited('calm')).toMatchObject({ status: 'Terminated', code: 0 })
      expect(outputOf('calm').join('')).toBe('calm up\ncalm done\n')
    } finally {
      await host.shutdown()
    }
  }, 120_000)

  it('one log call of 300,000 characters reaches the parent in bounded messages', async () => {
    const { host, start, exited, outputOf } = await recordingHost()
    try {
      start('loud', `log('y'.repeat(300000))`, restrict({}))
      expect(await exited('loud')).toMatchObject({ code: 0 })
      const messages = outputOf('loud')
      expect(messages.length).toBeGreaterThan(1)
      for (const m of messages) expect(m.length).toBeLessThanOrEqual(MAX_OUTPUT_CHUNK_CHARS)
      expect(messages.join('')).toBe('y'.repeat(300000))
    } finally {
      await host.shutdown()
    }
  }, 60_000)

  it('giant names, messages, toString results and stacks, in the main program or a thread, end it with a capped reason', async () => {
    const cases: Array<[string, number]> = [
      [`throw new RepyArgumentError('m'.repeat(2e7))`, 6],
      [`createthread(() => { const e = new Error('x'); e.name = 'N'.repeat(2e7); throw e })`, 30],
      [`throw { toString: () => 's'.repeat(2e7) }`, 6],
      [`const e = new Error('x'); e.stack = 'at f\\n'.repeat(4e6); throw e`, 6],
    ]
    for (const [source, code] of cases) {
      const { outcome } = await guests.run(source, { restrictions: restrict({ memory: 200_000_000 }) })
      expect(outcome.code, source).toBe(code)
      expect(outcome.reason.length, source).toBeLessThanOrEqual(MAX_REASON_CHARS)
    }
  }, 60_000)

  it('a name and a message are each cut where the description is made, with a note', async () => {
    const { outcome } = await guests.run(`const e = new RangeError('m'.repeat(1e6)); e.name = 'N'.repeat(1e6); throw e`)
    expect(outcome.code).toBe(6)
    expectCut(outcome.reason)
    expect(outcome.reason).toMatch(
      /^uncaught exception in the main program: N+\n\[\.\.\. cut: \d+ more characters\]: m+\n\[\.\.\. cut/,
    )
  }, 60_000)
})

describe('arguments are checked before they are copied', () => {
  it('an object or array argument is refused without being copied or serialized', async () => {
    const { output, outcome } = await guests.run(
      CHECKS +
        String.raw`
let touched = 0
const spy = { toJSON() { touched++; return 1 }, get x() { touched++; return 1 } }
check('sleep(object)', () => sleep(spy))
check('sleep(array)', () => sleep([spy]))
check('sleep(big array)', () => sleep(new Array(2e6).fill(123456789)))
check('touched', () => touched)
try { sleep([1]) } catch (e) { log('message -> ' + e.message + '\n') }
try { openfile({}, true) } catch (e) { log('openfile -> ' + e.message + '\n') }
try { sleep(() => 1) } catch (e) { log('function -> ' + e.message + '\n') }
`,
    )
    expect(outcome.code).toBe(0)
    const r = results(output)
    expect(r.get('sleep(object)')).toBe('RepyArgumentError')
    expect(r.get('sleep(array)')).toBe('RepyArgumentError')
    expect(r.get('sleep(big array)')).toBe('RepyArgumentError')
    expect(okValue(r, 'touched')).toBe(0)
    expect(r.get('message')).toBe('sleep: seconds must be a number, not array')
    expect(r.get('openfile')).toBe('openfile: filename must be a string, not object')
    expect(r.get('function')).toBe('sleep: seconds must be a number, not function')
  }, 60_000)

  it('the strings of one call are bounded together, before they are copied', async () => {
    const { output, outcome } = await guests.run(
      CHECKS +
        String.raw`
const s = 'x'.repeat(1e7)
try { sleep(s, s, s, s, s, s, s, s) } catch (e) { log('eight -> ' + e.name + ': ' + e.message + '\n') }
try { sleep(...new Array(100).fill('x')) } catch (e) { log('hundred -> ' + e.message + '\n') }
`,
      { restrictions: restrict({ memory: 100_000_000 }) },
    )
    expect(outcome.code).toBe(0)
    const r = results(output)
    expect(r.get('eight')).toBe(
      'RepyArgumentError: sleep: the arguments hold 80000000 characters; one call takes at most 67108864',
    )
    expect(r.get('hundred')).toBe('sleep: takes exactly 1 argument (100 given)')
  }, 60_000)
})

describe('a program that rewires its builtins cannot reach the hidden host calls', () => {
  // The prelude built the host call's argument list with args[args.length] = ..., which ran a setter on
  // Array.prototype[1]: the setter could swap the operation number and end another thread's events item.
  it('a setter on Array.prototype[1] cannot end a running thread: 40 threads under events 3 is refused', async () => {
    const { output, outcome } = await guests.run(
      String.raw`
let target = 0
let swaps = 0
Object.defineProperty(Array.prototype, 1, {
  configurable: true,
  set(v) {
    const value = target ? target : v
    if (target) { this[0] = 12; swaps++; target = 0 }   // 12: thread.end
    Object.defineProperty(this, 1, { value, writable: true, enumerable: true, configurable: true })
  },
})
let running = 0, most = 0, finished = 0, created = 0
const body = async () => { running++; most = Math.max(most, running); await sleep(0.2); running--; finished++ }
for (let i = 1; i <= 40; i++) {
  try { createthread(body); created++ } catch (e) { log('refused: ' + e.name + '\n'); break }
  target = i
  sleep(0)
}
while (finished < created) await sleep(0.02)
log('created ' + created + ', at most ' + most + ' at once, swaps ' + swaps + '\n')
`,
      { restrictions: restrict({ events: 3 }) },
    )
    expect(outcome.reason).toBe('finished')
    expect(output).toBe('refused: ResourceExhaustedError\ncreated 2, at most 2 at once, swaps 0\n')
  }, 60_000)

  // Before, the thread's end waited on a promise derived with the program's species, or adopted the thread's promise
  // through the program's then: either could end the thread (and free its events item) while its function still ran.
  const EARLY = `class Early extends Promise { constructor(ex) { super((ok, bad) => { ex(ok, bad); ok() }) } }\n`
  it.each([
    [
      'a replaced Promise.prototype.then',
      `const then = Promise.prototype.then
Promise.prototype.then = function (ok, bad) { if (typeof ok === 'function') ok(); return Reflect.apply(then, this, [ok, bad]) }`,
    ],
    [
      'a Promise species that resolves at once',
      `${EARLY}Object.defineProperty(Promise, Symbol.species, { get: () => Early, configurable: true })`,
    ],
    ['a Promise.prototype.constructor that resolves at once', `${EARLY}Promise.prototype.constructor = Early`],
    [
      'a thread promise with its own then',
      `${EARLY}globalThis.early = (p) => { Object.defineProperty(p, 'then', { value: (ok) => ok() }); return p }`,
    ],
  ])(
    '%s cannot end a thread before its function has',
    async (_what, trick) => {
      const { output, outcome } = await guests.run(
        `try {
${trick}
} catch (e) { log('trick refused: ' + e.name + '\\n') }
const early = globalThis.early ?? ((p) => p)
let created = 0, finished = 0, release = false
// a thread's function runs until main has tried every creation: only an early end can free its events item
const body = async () => { while (!release) await sleep(0.01); finished++ }
for (let i = 0; i < 40; i++) {
  try { createthread(() => early(body())); created++ } catch (e) { log('refused: ' + e.name + '\\n'); break }
  await sleep(0.01)
}
log('created ' + created + '\\n')
release = true
while (finished < created) await sleep(0.02)
`,
        { restrictions: restrict({ events: 3 }) },
      )
      expect(outcome.code).toBe(0)
      expect(output.replace(/^trick refused: TypeError\n/, '')).toBe('refused: ResourceExhaustedError\ncreated 2\n')
    },
    60_000,
  )

  it('replaced globals, prototype setters and Symbol.hasInstance change nothing the prelude does', async () => {
    const { output, outcome } = await guests.run(
      CHECKS +
        String.raw`
const data = new Uint8Array([104, 0, 105])
let stolen = ''
for (const name of ['readat', 'writeat', 'close', 'acquire', 'release'])
  Object.defineProperty(Object.prototype, name, { set(v) { stolen += name + ' ' }, configurable: true })
for (const i of [0, 1, 2]) Object.defineProperty(Array.prototype, i, { set(v) { stolen += 'element-' + i + ' ' }, configurable: true })
Object.defineProperty(Error, Symbol.hasInstance, { value: () => false })
Object.defineProperty(Promise, Symbol.hasInstance, { value: () => true })
globalThis.Uint8Array = function () {}
String.prototype.split = () => { throw new Error('split called') }
String.prototype.slice = () => { throw new Error('slice called') }
Array.prototype.filter = () => { throw new Error('filter called') }
Array.prototype[Symbol.iterator] = function () { throw new Error('iterator called') }
Function.prototype.call = () => { throw new Error('call called') }
globalThis.Proxy = function () { throw new Error('Proxy called') }
globalThis.Function = function () { throw new Error('Function called') }
// The results are kept as strings until the setters are gone: JSON.stringify itself runs them on arrays.
const result = (fn) => { try { return 'ok ' + fn() } catch (e) { return 'threw ' + e.name + ': ' + e.message } }
const file = result(() => { const f = openfile('a.txt', true); f.writeat('hi', 0); const r = f.readat(null, 0); f.close(); return r })
const bytes = result(() => { const f = openfile('b.txt', true); f.writeat(data, 0); const r = f.readat(null, 0); f.close(); return r === 'h\0i' })
const lock = result(() => { const l = createlock(); const r = l.acquire(false); l.release(); return r })
const files = result(() => { const l = listfiles(); return typeof l[0] + ' ' + typeof l[1] + ' ' + typeof l[2] + ' ' + l.length })
const namespace = result(() => createvirtualnamespace('y = x + 1', 'ns').evaluate({ x: 1 }).y)
const error = result(() => { try { sleep('a') } catch (e) { return e.name + ' ' + e.message } })
const taken = stolen
for (let i = 0; i < 3; i++) delete Array.prototype[i]
check('results', () => ({ file, bytes, lock, files, namespace, error, taken }))
createthread(() => { throw new RangeError('thread failed here') })
`,
    )
    expect(okValue(results(output), 'results')).toEqual({
      file: 'ok hi',
      bytes: 'ok true',
      lock: 'ok true',
      files: 'ok string string string 3',
      namespace: 'ok 2',
      error: 'ok RepyArgumentError sleep: seconds must be a number, not string',
      taken: '',
    })
    // The description is still the error's, though instanceof Error, split and slice now lie or throw.
    expect(outcome.code).toBe(30)
    expect(outcome.reason).toMatch(/^uncaught exception in thread _EVENT:Thread:\d+: RangeError: thread failed here\n/)
  }, 60_000)
})

describe('the thread operations refuse calls that do not fit the thread', () => {
  // Defence in depth behind the prelude: even a program that reached the hidden host function could not free the
  // events item of a thread that is still running, nor free one twice.
  const setup = () => {
    const nanny = createNanny(parseRestrictions(restrict({ events: 3 })), {
      initialDiskUsed: 0,
      memoryUsed: () => 0,
      threadCpuSeconds,
      runtime: () => 0,
    })
    nanny.acquire('events', 'main')
    const { port1, port2 } = new MessageChannel()
    const ended: Outcome[] = []
    let live = 0
    const env: VesselEnv = {
      cwd: root,
      ip: '127.0.0.1',
      nanny,
      runtime: () => 0,
      output: () => {},
      net: new NetChannel({ syncPort: port1, asyncPort: port2, flag: new SharedArrayBuffer(4) }),
      threads: { current: MAIN_THREAD, name: (id) => `thread ${id}`, lastError: new Map() },
      end: (o) => {
        ended.push(o)
      },
      atTeardown: () => {},
      threadStarted: () => {
        live++
      },
      threadFinished: () => {
        live--
      },
    }
    const ops = threadOps(env)
    const call = (
      op: 'thread.start' | 'thread.enter' | 'thread.end' | 'thread.fail',
      ...args: GuestValue[]
    ): GuestValue => {
      const result = ops[op](args)
      if (result instanceof Promise || result instanceof Later || result instanceof OutBytes)
        throw new Error(`${op} answered later or with bytes; the thread operations answer plain values at once`)
      return result
    }
    const refusal = (fn: () => unknown) => {
      try {
        fn()
      } catch (err) {
        return err instanceof RepyError ? `${err.repyName}: ${err.message}` : String(err)
      }
      return 'allowed'
    }
    const close = () => {
      port1.close()
      port2.close()
    }
    return { call, refusal, env, ended, live: () => live, events: () => nanny.usage().items.events, close }
  }

  it('a thread is ended only once, after it has run, while it is the one running', () => {
    const t = setup()
    try {
      const a = t.call('thread.start') as number
      const b = t.call('thread.start') as number
      expect(t.refusal(() => t.call('thread.start'))).toMatch(/^ResourceExhaustedError/)
      expect(t.refusal(() => t.call('thread.end', a))).toBe(
        `RepyArgumentError: thread.end: thread ${a} has not started to run`,
      )
      t.call('thread.enter', a)
      t.call('thread.enter', b)
      expect(t.refusal(() => t.call('thread.end', a))).toBe(
        `RepyArgumentError: thread.end: thread ${a} is not the thread running now`,
      )
      expect(t.refusal(() => t.call('thread.end', 99))).toBe('RepyArgumentError: thread.end: thread 99 is not running')
      expect(t.refusal(() => t.call('thread.end', MAIN_THREAD))).toBe(
        'RepyArgumentError: thread.end: thread 0 is not running',
      )
      expect(t.events()).toBe(3)
      t.call('thread.end', b)
      expect(t.events()).toBe(2)
      expect(t.refusal(() => t.call('thread.end', b))).toBe(`RepyArgumentError: thread.end: thread ${b} is not running`)
      expect(t.refusal(() => t.call('thread.enter', b))).toBe(
        `RepyArgumentError: thread.enter: thread ${b} is not running`,
      )
      expect(t.refusal(() => t.call('thread.fail', b, 'late'))).toBe(
        `RepyArgumentError: thread.fail: thread ${b} is not running`,
      )
      expect(t.events()).toBe(2)
      expect(t.live()).toBe(1)
      expect(t.ended).toEqual([])
      t.call('thread.enter', a)
      t.call('thread.fail', a, 'x'.repeat(1e6))
      expect(t.ended).toHaveLength(1)
      expectCut(t.ended[0]!.reason)
    } finally {
      t.close()
    }
  })
})
