// createthread, getthreadname, exitall, locks and getlasterror (docs/REPY.md, 'Threads and locks').
import { beforeAll, describe, expect, it } from 'vitest'
import { GENEROUS_RESTRICTIONS, runGuest, type GuestRun } from '../../helpers/run-guest.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

const withEvents = (n: number) => GENEROUS_RESTRICTIONS.replace(/resource events \d+/, `resource events ${n}`)

describe('createthread and getthreadname', () => {
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(
      CHECKS +
        String.raw`
const events = () => getresources()[1].events
check('main name', () => getthreadname())
check('events in main', () => events())
check('returns', () => createthread(async () => {
  log('t1 start -> ok ' + JSON.stringify(getthreadname()) + '\n')
  await sleep(0.05)
  log('t1 after await -> ok ' + JSON.stringify(getthreadname()) + '\n')
}))
createthread(() => { log('t2 -> ok ' + JSON.stringify(getthreadname()) + '\n') })
check('events with threads', () => events())
check('main name meanwhile', () => getthreadname())
await sleep(0.2)
check('events after threads', () => events())
check('not a function', () => createthread(5))
check('no args', () => createthread())
check('2 args', () => createthread(() => {}, 1))
check('getthreadname arg', () => getthreadname(1))
// exhaustion: events 4 = main + 3 threads
const gate = createlock()
gate.acquire(true)
let made = 0
check('exhausted', () => { for (let i = 0; i < 5; i++) { createthread(async () => { await gate.acquire(true); gate.release() }); made++ } })
check('made', () => made)
gate.release()
await sleep(0.1)
check('released after end', () => { createthread(() => {}); return events() })
// a thread that throws inside a caught block does not end the program
createthread(() => { try { openfile('missing', false) } catch (e) { log('caught in thread -> ok ' + JSON.stringify(e.name) + '\n') } })
// threads run after main ends
createthread(async () => { await sleep(0.2); log('late thread -> ok "done"\n') })
`,
      { restrictions: withEvents(4) },
    )
    r = results(run.output)
  })

  it('ends with code 0 once every thread has finished', () => {
    expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 })
    expect(okValue(r, 'late thread')).toBe('done')
  })

  it('names the main thread MainThread and threads _EVENT:Thread:<n>', () => {
    expect(okValue(r, 'main name')).toBe('MainThread')
    expect(okValue(r, 't1 start')).toBe('_EVENT:Thread:1')
    expect(okValue(r, 't2')).toBe('_EVENT:Thread:2')
    expect(okValue(r, 'main name meanwhile')).toBe('MainThread')
  })

  it('keeps the thread name across an await', () => {
    expect(okValue(r, 't1 after await')).toBe('_EVENT:Thread:1')
  })

  it('returns undefined and holds one events item per running thread', () => {
    expect(okValue(r, 'returns')).toBe(null)
    expect(okValue(r, 'events in main')).toBe(1)
    expect(okValue(r, 'events with threads')).toBe(3)
    expect(okValue(r, 'events after threads')).toBe(1)
  })

  it.each(['not a function', 'no args', '2 args', 'getthreadname arg'])('refuses bad arguments: %s', (label) => {
    expect(r.get(label)).toBe('RepyArgumentError')
  })

  it('raises ResourceExhaustedError when events are used up, and releases them when threads end', () => {
    expect(r.get('exhausted')).toBe('ResourceExhaustedError')
    expect(okValue(r, 'made')).toBe(3)
    expect(okValue(r, 'released after end')).toBe(2)
  })

  it('lets a thread catch its own errors', () => {
    expect(okValue(r, 'caught in thread')).toBe('FileNotFoundError')
  })
})

describe('uncaught errors and exitall', () => {
  it('ends the program with code 30 and the thread name when a thread throws', async () => {
    const { output, outcome } = await runGuest(`
createthread(() => {})
createthread(async () => { await sleep(0.05); throw new FileError('bad thing') })
await sleep(1)
log('not reached')`)
    expect(output).toBe('')
    expect(outcome.status).toBe('Terminated')
    expect(outcome.code).toBe(30)
    expect(outcome.reason).toContain('_EVENT:Thread:2')
    expect(outcome.reason).toContain('FileError: bad thing')
  })

  it('exitall from main ends at once with code 200; nothing after it and no finally block runs', async () => {
    const { output, outcome } = await runGuest(`
createthread(async () => { await sleep(0.3); log('thread ran') })
try { log('before '); exitall(); log('after') } finally { log('finally') }
log('end')`)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 200 })
    expect(output).toBe('before ')
  })

  it('exitall from another thread ends the program, main included', async () => {
    const { output, outcome } = await runGuest(`
createthread(async () => { await sleep(0.05); log('exiting '); exitall(); log('after exitall') })
try { await sleep(5); log('main woke') } finally { log('finally') }`)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 200 })
    expect(output).toBe('exiting ')
  })

  it('exitall takes no arguments', async () => {
    const { output, outcome } = await runGuest(CHECKS + `check('exitall arg', () => exitall(1))`)
    expect(results(output).get('exitall arg')).toBe('RepyArgumentError')
    expect(outcome.code).toBe(0)
  })
})

describe('locks and getlasterror', () => {
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(
      CHECKS +
        String.raw`
check('lasterror none', () => getlasterror())
const l = createlock()
check('createlock arg', () => createlock(1))
check('nonblocking free', () => l.acquire(false))
check('nonblocking held', () => l.acquire(false))
check('release', () => l.release())
check('double release', () => l.release())
check('double release class', () => { try { l.release() } catch (e) { return [e instanceof LockDoubleReleaseError, e instanceof RepyException] } })
check('acquire number', () => l.acquire(1))
check('acquire string', () => l.acquire('true'))
check('acquire no args', () => l.acquire())
check('acquire 2 args', () => l.acquire(true, true))
check('release arg', () => { l.acquire(false); try { return l.release(1) } finally { try { l.release() } catch (e) {} } })
check('blocking free returns', () => { const p = l.acquire(true); return p === true || p instanceof Promise })
// l is held now: a thread blocks on it until main releases
const order = []
createthread(async () => { order.push('waiting'); const got = await l.acquire(true); order.push('got ' + got); l.release() })
await sleep(0.1)
order.push('releasing')
l.release()
await sleep(0.1)
check('blocking order', () => order)
// another thread may release a lock main holds
const m = createlock()
m.acquire(false)
createthread(() => m.release())
await sleep(0.05)
check('released by thread', () => m.acquire(false))
// getlasterror
try { openfile('missing', false) } catch (e) {}
check('lasterror after error', () => getlasterror())
check('lasterror cleared', () => getlasterror())
createthread(() => { try { removefile('missing2') } catch (e) {} ; log('thread lasterror -> ok ' + JSON.stringify(getlasterror()) + '\n') })
await sleep(0.05)
check('main lasterror after thread', () => getlasterror())
check('lasterror arg', () => getlasterror(1))
`,
    )
    r = results(run.output)
  })

  it('acquire(false) returns true when free and false when held', () => {
    expect(okValue(r, 'nonblocking free')).toBe(true)
    expect(okValue(r, 'nonblocking held')).toBe(false)
    expect(okValue(r, 'release')).toBe(null)
  })

  it('raises LockDoubleReleaseError when releasing an unlocked lock', () => {
    expect(r.get('double release')).toBe('LockDoubleReleaseError')
    expect(okValue(r, 'double release class')).toEqual([true, true])
  })

  it.each(['createlock arg', 'acquire number', 'acquire string', 'acquire no args', 'acquire 2 args', 'release arg'])(
    'refuses bad arguments: %s',
    (label) => expect(r.get(label)).toBe('RepyArgumentError'),
  )

  it('acquire(true) blocks until the holder releases', () => {
    expect(okValue(r, 'blocking free returns')).toBe(true)
    expect(okValue(r, 'blocking order')).toEqual(['waiting', 'releasing', 'got true'])
  })

  it('lets any thread release a lock', () => expect(okValue(r, 'released by thread')).toBe(true))

  it('getlasterror describes the last Repy error once, per thread', () => {
    expect(okValue(r, 'lasterror none')).toBe(null)
    expect(okValue(r, 'lasterror after error')).toMatch(/^FileNotFoundError: .*missing/)
    expect(okValue(r, 'lasterror cleared')).toBe(null)
    expect(r.get('lasterror arg')).toBe('RepyArgumentError')
    expect(okValue(r, 'thread lasterror')).toMatch(/^FileNotFoundError: .*missing2/)
    expect(okValue(r, 'main lasterror after thread')).toBe(null)
  })
})
