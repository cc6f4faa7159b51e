// Every resource of the restrictions file held to its quota, through real guests (docs/REPY.md, 'The nanny'):
// counted items raise ResourceExhaustedError and come back when released, port sets raise
// ResourceForbiddenError, diskused is checked at each write, renewables make the caller wait, cpu is held to its
// share and memory ends the program. Ports used here: 21000-21039.
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runGuest, type GuestRun } from '../helpers/run-guest.js'
import { sharedGuestHost } from '../helpers/shared-host.js'
import { restrict } from '../helpers/restrict.js'
import { CHECKS, okValue, results } from '../helpers/guest-checks.js'

const FILE_OVERHEAD = 4096
// The quota checks run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts); the cpu
// checks below, which measure a vessel's cpu, each in a host of its own (runGuest).
const host = sharedGuestHost()
afterAll(() => host.close())

// Guests mostly wait or are short: the groups below run side by side (the cpu group runs alone, after them).
describe.concurrent('quotas', () => {
  describe('counted items', () => {
    describe('events', () => {
      let run: GuestRun
      let r: Map<string, string>
      beforeAll(async () => {
        run = await host.run(
          CHECKS +
            String.raw`
const events = () => getresources()[1].events
const gate = createlock()
gate.acquire(true)
const hold = async () => { await gate.acquire(true); gate.release() }
check('first', () => createthread(hold))
check('second', () => createthread(hold))
check('held', () => events())
check('at limit', () => createthread(hold))
check('held after refusal', () => events())
// the threads end soon after the release; a loaded machine may take a while (up to ~10 s here)
const settle = async () => { for (let i = 0; i < 1000 && events() !== 1; i++) await sleep(0.01) }
gate.release()
await settle()
check('after end', () => events())
check('again', () => { createthread(() => {}); return 'ok' })
await settle()
check('final', () => events())
`,
          { restrictions: restrict({ events: 3 }) },
        )
        r = results(run.output)
      })

      it('raises ResourceExhaustedError from createthread at the limit (main + 2 threads of 3)', () => {
        expect(okValue(r, 'first')).toBe(null)
        expect(okValue(r, 'second')).toBe(null)
        expect(okValue(r, 'held')).toBe(3)
        expect(r.get('at limit')).toBe('ResourceExhaustedError')
        expect(okValue(r, 'held after refusal')).toBe(3)
      })

      it('gives the items back when the threads end: the count is 1 again and threads can be made', () => {
        expect(okValue(r, 'after end')).toBe(1)
        expect(okValue(r, 'again')).toBe('ok')
        expect(okValue(r, 'final')).toBe(1)
        expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 })
      })
    })

    describe('filesopened', () => {
      let r: Map<string, string>
      beforeAll(async () => {
        const run = await host.run(
          CHECKS +
            String.raw`
const opened = () => getresources()[1].filesopened
const a = openfile('a', true)
const b = openfile('b', true)
check('held', () => opened())
check('at limit', () => openfile('c', true))
check('not created', () => listfiles().includes('c'))
a.close()
check('after close', () => opened())
const c = openfile('c', true)
check('reopened', () => opened())
b.close(); c.close()
check('all closed', () => opened())
`,
          { restrictions: restrict({ filesopened: 2 }) },
        )
        r = results(run.output)
      })

      it('raises ResourceExhaustedError at the limit and creates nothing', () => {
        expect(okValue(r, 'held')).toBe(2)
        expect(r.get('at limit')).toBe('ResourceExhaustedError')
        expect(okValue(r, 'not created')).toBe(false)
      })

      it('gives an item back on close; usage returns to zero', () => {
        expect(okValue(r, 'after close')).toBe(1)
        expect(okValue(r, 'reopened')).toBe(2)
        expect(okValue(r, 'all closed')).toBe(0)
      })
    })

    describe('insockets and outsockets', () => {
      let run: GuestRun
      let r: Map<string, string>
      beforeAll(async () => {
        run = await host.run(
          CHECKS +
            String.raw`
const items = () => { const u = getresources()[1]; return [u.insockets, u.outsockets] }
// insockets 2: one TCP and one UDP listener, the third is refused
const tcp = listenforconnection('127.0.0.1', 21000)
const udp = listenformessage('127.0.0.1', 21010)
check('in held', () => items())
check('in tcp at limit', () => listenforconnection('127.0.0.1', 21001))
check('in udp at limit', () => listenformessage('127.0.0.1', 21011))
udp.close()
check('in after close', () => items())
const udp2 = listenformessage('127.0.0.1', 21011)
check('in again', () => items())
udp2.close()
// outsockets 2: two connections, the third is refused, and so is accepting one
const s1 = await openconnection('127.0.0.1', 21000, '127.0.0.1', 21002, 5)
const s2 = await openconnection('127.0.0.1', 21000, '127.0.0.1', 21003, 5)
check('out held', () => items())
await acheck('out at limit', () => openconnection('127.0.0.1', 21000, '127.0.0.1', 21004, 5))
// the two connections reach the listener soon; until then getconnection would block, not be refused
const acceptOnce = () => { try { tcp.getconnection(); return 'accepted' } catch (e) { return e.name } }
let acceptResult = acceptOnce()
for (let i = 0; i < 500 && acceptResult === 'SocketWouldBlockError'; i++) { await sleep(0.02); acceptResult = acceptOnce() }
log('accept at limit -> ' + acceptResult + '\n')
check('udp send at limit', () => sendmessage('127.0.0.1', 21011, 'x', '127.0.0.1', 21012))
s1.close()
check('out after close', () => items())
let accepted = null
for (let i = 0; i < 500 && !accepted; i++) { try { accepted = tcp.getconnection()[2] } catch (e) { await sleep(0.02) } }
check('accepted', () => items())
accepted.close(); s2.close(); tcp.close()
check('all closed', () => items())
`,
          {
            restrictions: restrict(
              { insockets: 2, outsockets: 2 },
              { connport: [21000, 21001, 21002, 21003, 21004], messport: [21010, 21011, 21012] },
            ),
          },
        )
        r = results(run.output)
      })

      it('refuses a third listener (TCP or UDP) with ResourceExhaustedError and takes one back on close', () => {
        expect(okValue(r, 'in held')).toEqual([2, 0])
        expect(r.get('in tcp at limit')).toBe('ResourceExhaustedError')
        expect(r.get('in udp at limit')).toBe('ResourceExhaustedError')
        expect(okValue(r, 'in after close')).toEqual([1, 0])
        expect(okValue(r, 'in again')).toEqual([2, 0])
      })

      it('refuses a third connection, an accept and a UDP send socket with ResourceExhaustedError', () => {
        expect(okValue(r, 'out held')).toEqual([1, 2])
        expect(r.get('out at limit')).toBe('ResourceExhaustedError')
        expect(r.get('accept at limit')).toBe('ResourceExhaustedError')
        expect(r.get('udp send at limit')).toBe('ResourceExhaustedError')
      })

      it('gives outsockets back on close (an accepted socket holds one too); usage returns to zero', () => {
        expect(okValue(r, 'out after close')).toEqual([1, 1])
        expect(okValue(r, 'accepted')).toEqual([1, 2])
        expect(okValue(r, 'all closed')).toEqual([0, 0])
        expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 })
      })
    })

    it('refuses ports outside the connport / messport sets with ResourceForbiddenError', async () => {
      const run = await host.run(
        CHECKS +
          String.raw`
check('listen tcp', () => listenforconnection('127.0.0.1', 21021))
check('listen tcp on a messport', () => listenforconnection('127.0.0.1', 21022))
await acheck('connect from', () => openconnection('127.0.0.1', 21020, '127.0.0.1', 21023, 1))
check('listen udp', () => listenformessage('127.0.0.1', 21023))
check('listen udp on a connport', () => listenformessage('127.0.0.1', 21020))
check('send from', () => sendmessage('127.0.0.1', 21022, 'x', '127.0.0.1', 21024))
check('allowed', () => { listenforconnection('127.0.0.1', 21020).close(); listenformessage('127.0.0.1', 21022).close(); return 'ok' })
check('ports in use', () => { const u = getresources()[1]; return [u.connport, u.messport] })
`,
        { restrictions: restrict({}, { connport: [21020], messport: [21022] }) },
      )
      const r = results(run.output)
      for (const label of [
        'listen tcp',
        'listen tcp on a messport',
        'connect from',
        'listen udp',
        'listen udp on a connport',
        'send from',
      ]) {
        expect(r.get(label), label).toBe('ResourceForbiddenError')
      }
      expect(okValue(r, 'allowed')).toBe('ok')
      expect(okValue(r, 'ports in use')).toEqual([[], []])
    })
  })

  describe('diskused', () => {
    const PRE = 'p'.repeat(1000)
    const QUOTA = 40_000
    let run: GuestRun
    let r: Map<string, string>
    let mainBytes: number
    beforeAll(async () => {
      const source =
        CHECKS +
        String.raw`
const disk = () => getresources()[1].diskused
check('start', () => disk())
const f = openfile('a', true)
check('created', () => disk())
f.writeat('x'.repeat(1000), 0)
check('written', () => disk())
f.writeat('y'.repeat(500), 200)
check('overwritten', () => disk())
f.writeat('z'.repeat(100), 950)
check('extended', () => disk())
const room = ${QUOTA} - disk()
check('room', () => room)
check('too big', () => f.writeat('w'.repeat(room + 1), 1050))
check('size after refusal', () => f.readat(null, 0).length)
check('usage after refusal', () => disk())
check('exactly full', () => { f.writeat('w'.repeat(room), 1050); return disk() })
check('create when full', () => openfile('b', true))
check('b exists', () => listfiles().includes('b'))
check('one more byte', () => f.writeat('q', 1050 + room))
f.close()
check('removed', () => { removefile('a'); return disk() })
check('space reused', () => { const g = openfile('b', true); g.writeat('v'.repeat(${QUOTA} - disk()), 0); g.close(); return disk() })
check('pre removed', () => { const before = disk(); removefile('pre'); return before - disk() })
check('final', () => disk())
`
      mainBytes = Buffer.byteLength(source)
      run = await host.run(source, { restrictions: restrict({ diskused: QUOTA }), files: { pre: PRE }, keepDir: true })
      r = results(run.output)
    })
    afterAll(() => rmSync(run.dir, { recursive: true, force: true }))

    it('counts the files already in the vessel directory at the start (size + 4096 each)', () => {
      expect(okValue(r, 'start')).toBe(mainBytes + FILE_OVERHEAD + PRE.length + FILE_OVERHEAD)
    })

    it('charges 4096 for a created file and the growth of each write (not overwrites)', () => {
      const start = okValue(r, 'start') as number
      expect(okValue(r, 'created')).toBe(start + FILE_OVERHEAD)
      expect(okValue(r, 'written')).toBe(start + FILE_OVERHEAD + 1000)
      expect(okValue(r, 'overwritten')).toBe(start + FILE_OVERHEAD + 1000)
      expect(okValue(r, 'extended')).toBe(start + FILE_OVERHEAD + 1050)
    })

    it('refuses a write that would exceed the quota with ResourceExhaustedError and writes nothing', () => {
      expect(r.get('too big')).toBe('ResourceExhaustedError')
      expect(okValue(r, 'size after refusal')).toBe(1050)
      expect(okValue(r, 'usage after refusal')).toBe(okValue(r, 'extended'))
    })

    it('allows filling the quota exactly, then refuses a new file and a single byte', () => {
      expect(okValue(r, 'exactly full')).toBe(QUOTA)
      expect(r.get('create when full')).toBe('ResourceExhaustedError')
      expect(okValue(r, 'b exists')).toBe(false)
      expect(r.get('one more byte')).toBe('ResourceExhaustedError')
    })

    it('gives back size + 4096 on removefile, and the space can be used again', () => {
      const full = okValue(r, 'exactly full') as number
      const sizeOfA = 1050 + (okValue(r, 'room') as number)
      expect(okValue(r, 'removed')).toBe(full - sizeOfA - FILE_OVERHEAD)
      expect(okValue(r, 'space reused')).toBe(QUOTA)
      expect(okValue(r, 'pre removed')).toBe(PRE.length + FILE_OVERHEAD)
    })

    it('reports what is really on disk', () => {
      expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 })
      const onDisk = readdirSync(run.dir).reduce(
        (sum, name) => sum + statSync(join(run.dir, name)).size + FILE_OVERHEAD,
        0,
      )
      expect(okValue(r, 'final')).toBe(onDisk)
    })

    it('does not charge the disk for a file it could not create (filewrite 0)', async () => {
      const { output } = await host.run(
        CHECKS +
          String.raw`
const before = getresources()[1].diskused
check('create', () => openfile('x', true))
check('delta', () => getresources()[1].diskused - before)
check('files', () => listfiles())
`,
        { restrictions: restrict({ filewrite: 0 }) },
      )
      const r2 = results(output)
      expect(r2.get('create')).toBe('ResourceForbiddenError')
      expect(okValue(r2, 'delta')).toBe(0)
      expect(okValue(r2, 'files')).toEqual(['main.js'])
    })
  })

  describe('renewables: charging more than the quota makes the caller wait', () => {
    // Each guest does about 3× its quota of work: the first second's worth is free, the rest must take ≥ 2 s.
    // Only a loose lower bound is asserted. The guests run side by side.
    const guests: Record<
      string,
      { quota: number; code: string; files?: Record<string, string>; ports?: { messport: number[] } }
    > = {
      filewrite: {
        quota: 8192,
        code: `const f = openfile('w', true)
const t0 = getruntime()
for (let i = 0; i < 6; i++) f.writeat('x'.repeat(4096), 0)`,
      },
      fileread: {
        quota: 8192,
        files: { r: 'r'.repeat(4096) },
        code: `const f = openfile('r', false)
const t0 = getruntime()
for (let i = 0; i < 6; i++) f.readat(null, 0)`,
      },
      lograte: {
        quota: 1000,
        code: `const t0 = getruntime()
for (let i = 0; i < 30; i++) log('x'.repeat(100))
log('\\n')`,
      },
      random: {
        quota: 2048,
        code: `const t0 = getruntime()
for (let i = 0; i < 6; i++) randombytes()`,
      },
      loopsend: {
        quota: 2000,
        ports: { messport: [21030, 21031] },
        code: `const t0 = getruntime()
for (let i = 0; i < 6; i++) sendmessage('127.0.0.1', 21031, 'm'.repeat(936), '127.0.0.1', 21030)`,
      },
      looprecv: {
        quota: 2000,
        ports: { messport: [21032, 21033] },
        code: `const server = listenformessage('127.0.0.1', 21032)
for (let i = 0; i < 6; i++) sendmessage('127.0.0.1', 21032, 'm'.repeat(936), '127.0.0.1', 21033)
await sleep(0.05)
const t0 = getruntime()
let got = 0
while (got < 6) { try { server.getmessage(); got++ } catch (e) { if (!(e instanceof SocketWouldBlockError)) throw e; await sleep(0.01) } }`,
      },
    }
    const runs: Record<string, { elapsed: number; level: number; output: string; code: number }> = {}
    beforeAll(async () => {
      await Promise.all(
        Object.entries(guests).map(async ([resource, g]) => {
          const { output, outcome } = await host.run(
            `${g.code}
const elapsed = getruntime() - t0
const level = getresources()[1].${resource}
log('\\nRESULT ' + JSON.stringify({ elapsed, level }) + '\\n')`,
            {
              restrictions: restrict({ [resource]: g.quota }, g.ports),
              files: g.files,
            },
          )
          const line = output.split('\n').find((l) => l.startsWith('RESULT '))
          runs[resource] = {
            ...(line
              ? (JSON.parse(line.slice(7)) as { elapsed: number; level: number })
              : { elapsed: NaN, level: NaN }),
            output,
            code: outcome.code,
          }
        }),
      )
    })

    it.each(Object.keys(guests))(
      '%s: 3× the quota takes at least 1.5 s, and getresources shows the bucket level',
      (resource) => {
        const run = runs[resource]!
        expect(run.code, run.output.slice(-300)).toBe(0)
        expect(run.elapsed).toBeGreaterThanOrEqual(1.5)
        expect(run.level).toBeGreaterThan(0)
        expect(run.level).toBeLessThanOrEqual(guests[resource]!.quota * 1.01)
      },
    )

    it('refuses a renewable whose quota is 0 with ResourceForbiddenError', async () => {
      const { output } = await host.run(
        CHECKS +
          String.raw`
check('random', () => randombytes())
check('loopsend', () => sendmessage('127.0.0.1', 21035, 'x', '127.0.0.1', 21034))
check('fileread', () => listfiles())
check('usable meanwhile', () => getresources()[1].random)
`,
        { restrictions: restrict({ random: 0, loopsend: 0, fileread: 0 }, { messport: [21034] }) },
      )
      const r = results(output)
      expect(r.get('random')).toBe('ResourceForbiddenError')
      expect(r.get('loopsend')).toBe('ResourceForbiddenError')
      expect(r.get('fileread')).toBe('ResourceForbiddenError')
      expect(okValue(r, 'usable meanwhile')).toBe(0)
    })

    it('ends a program that logs under lograte 0 (log raises ResourceForbiddenError, uncaught)', async () => {
      const { output, outcome } = await host.run(`log('never shown')`, { restrictions: restrict({ lograte: 0 }) })
      expect(output).toBe('')
      expect(outcome.code).toBe(6)
      expect(outcome.reason).toMatch(/ResourceForbiddenError.*lograte/)
    })
  })

  describe('memory', () => {
    const QUOTA = 8_000_000

    it.each([
      ['many small objects', 'const a = []\nfor (;;) a.push({ n: a.length, s: "y" + a.length })'],
      [
        'big strings',
        "const a = []\nfor (let i = 0; i < 100; i++) a.push('y'.repeat(5000000) + i)\nlog('kept', a.length)",
      ],
      [
        'typed arrays',
        'const a = []\nfor (let i = 0; i < 100; i++) a.push(new Uint8Array(5000000))\nlog("kept", a.length)',
      ],
    ])('ends a guest allocating past the quota (%s) with code 98', async (_, source) => {
      const { output, outcome } = await host.run(source, { restrictions: restrict({ memory: QUOTA }) })
      expect(output).toBe('')
      expect(outcome).toMatchObject({ status: 'Terminated', code: 98 })
      expect(outcome.reason).toContain('memory quota exceeded')
    })

    it('lets a guest within the quota run, and reports its memory use (> 0, ≤ quota, growing)', async () => {
      const { output, outcome } = await host.run(
        String.raw`
const before = getresources()[1].memory
const a = []
for (let i = 0; i < 20000; i++) a.push({ i, s: 'v' + i })
const after = getresources()[1].memory
log(JSON.stringify({ before, after, kept: a.length }))
`,
        { restrictions: restrict({ memory: QUOTA }) },
      )
      expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
      const { before, after, kept } = JSON.parse(output) as { before: number; after: number; kept: number }
      expect(kept).toBe(20000)
      expect(before).toBeGreaterThan(0)
      expect(after).toBeGreaterThan(before)
      expect(after).toBeLessThanOrEqual(QUOTA)
    })
  })
})

describe('cpu', () => {
  it('holds a busy guest to its share: stoptimes are recorded and cpu use grows roughly as the share', async () => {
    const { output, outcome } = await runGuest(
      String.raw`
const t0 = getruntime()
let x = 0
let half = null
while (getruntime() - t0 < 2) {
  for (let i = 0; i < 10000; i++) x += i
  if (half === null && getruntime() - t0 >= 1) half = getresources()[1].cpu
}
const [, usage, stops] = getresources()
log(JSON.stringify({ wall: getruntime() - t0, half, cpu: usage.cpu, stops }))
`,
      { restrictions: restrict({ cpu: 0.2 }) },
    )
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    const { wall, half, cpu, stops } = JSON.parse(output) as {
      wall: number
      half: number
      cpu: number
      stops: Array<[number, number]>
    }
    expect(stops.length).toBeGreaterThan(0)
    for (const [at, seconds] of stops) {
      expect(at).toBeGreaterThan(0)
      expect(seconds).toBeGreaterThan(0)
    }
    expect(cpu).toBeGreaterThan(half)
    expect(cpu).toBeGreaterThan(0.05 * wall)
    expect(cpu).toBeLessThan(0.5 * wall)
  })

  // One builtin call (a giant join, a big sort) runs without reaching the interrupt handler; the governor sees the
  // thread's cpu time afterwards and pauses long enough to bring the average back to the share.
  it.each([
    ['giant joins', 'const parts = Array.from({ length: 300000 }, (_, i) => String(i))', 'parts.join(",")'],
    [
      'big sorts',
      'const base = Array.from({ length: 100000 }, (_, i) => (i * 7919) % 100003)',
      '[...base].sort((a, b) => a - b)',
    ],
  ])('holds a guest busy in long builtins (%s) to its share', async (_, setup, work) => {
    const { output, outcome } = await runGuest(
      `
${setup}
const [, u0] = getresources(); const t0 = getruntime(); let n = 0
while (getruntime() - t0 < 2 || n < 3) { ${work}; n++ }
const [, u1, stops] = getresources()
log(JSON.stringify({ share: (u1.cpu - u0.cpu) / (getruntime() - t0), n, stops: stops.length }))
`,
      { restrictions: restrict({ cpu: 0.2 }) },
    )
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    const { share, n, stops } = JSON.parse(output) as { share: number; n: number; stops: number }
    expect(n).toBeGreaterThanOrEqual(3)
    expect(stops).toBeGreaterThan(0)
    expect(share).toBeGreaterThan(0.05)
    expect(share).toBeLessThan(0.5)
  })

  it('holds a loop of giant joins that never calls the API to its share', async () => {
    const { output, outcome } = await runGuest(
      `
const parts = Array.from({ length: 300000 }, (_, i) => String(i))
const [, u0] = getresources(); const t0 = getruntime()
for (let n = 0; n < 60; n++) parts.join(',')
const [, u1] = getresources()
log(JSON.stringify({ share: (u1.cpu - u0.cpu) / (getruntime() - t0) }))
`,
      { restrictions: restrict({ cpu: 0.2 }) },
    )
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    const { share } = JSON.parse(output) as { share: number }
    expect(share).toBeGreaterThan(0.05)
    expect(share).toBeLessThan(0.5)
  })

  it.each([
    ['a busy program', 'let x = 0\nfor (let i = 0; i < 1e8; i++) x += i\nlog(x)'],
    ['a trivial program', "log('hello')"],
  ])('ends %s under cpu 0 with a clear reason', async (_, source) => {
    const { output, outcome } = await runGuest(source, { restrictions: restrict({ cpu: 0 }) })
    expect(output).toBe('')
    expect(outcome.status).toBe('Terminated')
    expect(outcome.code).not.toBe(0)
    expect(outcome.reason).toMatch(/ResourceForbiddenError.*'cpu'/)
  })
})
