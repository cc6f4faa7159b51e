// Hostile guests against the nanny: each is contained by its quota, the test process stays responsive (its own
// event loop keeps ticking) and a normal guest runs right after. Ports used here: 21040-21079.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sharedGuestHost } from '../helpers/shared-host.js'
import { restrict } from '../helpers/restrict.js'
import { CHECKS, okValue, results } from '../helpers/guest-checks.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts): what one does
// must harm no other vessel of the host, nor the next one.
const guests = sharedGuestHost()
afterAll(() => guests.close())

const FILE_OVERHEAD = 4096

// The test process's own event loop: a timer that should tick every 20 ms.
let lastTick = performance.now()
let worstGap = 0
let ticker: ReturnType<typeof setInterval>
beforeAll(() => {
  ticker = setInterval(() => {
    const now = performance.now()
    worstGap = Math.max(worstGap, now - lastTick)
    lastTick = now
  }, 20)
})
afterAll(() => clearInterval(ticker))

/** The machine is still fine: our event loop kept ticking, and a normal guest runs and ends normally. */
async function stillResponsive(): Promise<void> {
  expect(worstGap).toBeLessThan(2000)
  const { output, outcome } = await guests.run(`log('still here')`)
  expect(output).toBe('still here')
  expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
}

/** Can this process bind the port on 127.0.0.1 (nobody holds it)? */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

describe('hostile guests against the nanny', () => {
  // One at a time, so that each test's event-loop window is its own.
  beforeEach(() => {
    worstGap = 0
    lastTick = performance.now()
  })

  it('an infinite loop is held to its cpu share and stopped from outside (Stopped, 44)', async () => {
    const { output, outcome } = await guests.run(
      String.raw`
let next = 0.25
for (;;) {
  if (getruntime() > next) { log(JSON.stringify([getruntime(), getresources()[1].cpu]) + '\n'); next += 0.25 }
}`,
      { restrictions: restrict({ cpu: 0.2 }), stopWhen: (o) => o.split('\n').length > 4 },
    )
    expect(outcome).toMatchObject({ status: 'Stopped', code: 44 })
    const samples = output
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as [number, number])
    expect(samples.length).toBeGreaterThan(0)
    for (const [wall, cpu] of samples) expect(cpu).toBeLessThan(0.5 * wall)
    await stillResponsive()
  })

  it('a memory bomb ends with code 98', async () => {
    const { outcome } = await guests.run(
      `
const a = []
for (let i = 0; ; i++) { a.push('b'.repeat(1000000) + i); a.push(new Array(10000).fill(i)) }`,
      { restrictions: restrict({ memory: 8_000_000 }) },
    )
    expect(outcome).toMatchObject({ status: 'Terminated', code: 98 })
    expect(outcome.reason).toContain('memory quota exceeded')
    await stillResponsive()
  })

  it('a thread bomb gets at most `events` threads: ResourceExhaustedError caught', async () => {
    const { output, outcome } = await guests.run(
      CHECKS +
        String.raw`
let made = 0
let most = 0
const watch = () => { most = Math.max(most, getresources()[1].events) }
const spawn = async () => { watch(); await sleep(0.05); watch(); try { createthread(spawn); createthread(spawn) } catch (e) { if (!(e instanceof ResourceExhaustedError)) throw e } }
check('loop', () => { for (;;) { createthread(spawn); made++ } })
check('made', () => made)
await sleep(1)
check('most', () => { watch(); return most })
exitall()
`,
      { restrictions: restrict({ events: 8 }), timeoutMs: 15_000 },
    )
    const r = results(output)
    expect(r.get('loop')).toBe('ResourceExhaustedError')
    expect(okValue(r, 'made')).toBe(7)
    expect(okValue(r, 'most')).toBeLessThanOrEqual(8)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 200 })
    await stillResponsive()
  })

  it('a thread bomb that does not catch ends with the uncaught ResourceExhaustedError', async () => {
    const { outcome } = await guests.run(`for (;;) createthread(async () => { await sleep(10) })`, {
      restrictions: restrict({ events: 8 }),
    })
    expect(outcome).toMatchObject({ status: 'Terminated', code: 6 })
    expect(outcome.reason).toContain('ResourceExhaustedError')
    await stillResponsive()
  })

  it('a disk fill stops at the quota: the vessel directory never holds more', async () => {
    const QUOTA = 100_000
    const run = await guests.run(
      String.raw`
let refused = 0
for (let n = 0; refused < 50; n++) {
  try {
    const f = openfile('fill' + n, true)
    let size = 0
    try { for (;;) { f.writeat('d'.repeat(3000), size); size += 3000 } } catch (e) { if (!(e instanceof ResourceExhaustedError)) throw e; refused++ }
    try { for (;;) { f.writeat('e', size); size++ } } catch (e) { if (!(e instanceof ResourceExhaustedError)) throw e; refused++ }
    f.close()
  } catch (e) { if (!(e instanceof ResourceExhaustedError)) throw e; refused++ }
}
log(JSON.stringify(getresources()[1].diskused))`,
      { restrictions: restrict({ diskused: QUOTA }), keepDir: true },
    )
    try {
      expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 })
      const names = readdirSync(run.dir)
      const used = names.reduce((sum, name) => sum + statSync(join(run.dir, name)).size + FILE_OVERHEAD, 0)
      expect(used).toBeLessThanOrEqual(QUOTA)
      expect(used).toBeGreaterThan(QUOTA - 4096)
      expect(Number(run.output)).toBe(used)
    } finally {
      rmSync(run.dir, { recursive: true, force: true })
    }
    await stillResponsive()
  })

  it('a log flood is throttled to lograte', async () => {
    const QUOTA = 2000
    const started = performance.now()
    const { output, outcome } = await guests.run(`for (;;) log('x'.repeat(500))`, {
      restrictions: restrict({ lograte: QUOTA }),
      stopWhen: (o) => o.length >= 3 * QUOTA,
    })
    const seconds = (performance.now() - started) / 1000
    expect(outcome).toMatchObject({ status: 'Stopped', code: 44 })
    expect(output.length).toBeGreaterThan(0)
    expect(output.length).toBeLessThanOrEqual(QUOTA * seconds + QUOTA + 500)
    await stillResponsive()
  })

  it('a random-bytes flood is throttled to random', async () => {
    const QUOTA = 4096
    const started = performance.now()
    const { output, outcome } = await guests.run(`let n = 0\nfor (;;) { randombytes(); n++; log(n + ' ') }`, {
      restrictions: restrict({ random: QUOTA }),
      stopWhen: (o) => o.split(' ').length > 12,
    })
    const seconds = (performance.now() - started) / 1000
    expect(outcome).toMatchObject({ status: 'Stopped', code: 44 })
    const calls = Math.max(...output.trim().split(' ').map(Number))
    expect(calls).toBeGreaterThan(0)
    expect(calls * 1024).toBeLessThanOrEqual(QUOTA * seconds + QUOTA + 1024)
    await stillResponsive()
  })

  it('socket exhaustion stops at insockets / outsockets, and every port is freed at the end', async () => {
    const ports = Array.from({ length: 10 }, (_, i) => 21040 + i)
    const { output, outcome } = await guests.run(
      CHECKS +
        String.raw`
const ports = ${JSON.stringify(ports)}
const server = listenforconnection('127.0.0.1', ports[0])
let out = 0, inn = 1, udp = 0
await acheck('connect all', async () => { for (const p of ports.slice(1)) { await openconnection('127.0.0.1', ports[0], '127.0.0.1', p, 2); out++ } })
check('listen all', () => { for (const p of ports.slice(5)) { listenforconnection('127.0.0.1', p); inn++ } })
check('udp all', () => { for (const p of ports.slice(5)) { listenformessage('127.0.0.1', p); udp++ } })
check('accept', () => server.getconnection())
check('counts', () => { const u = getresources()[1]; return [out, inn, udp, u.outsockets, u.insockets] })
`,
      { restrictions: restrict({ insockets: 2, outsockets: 3 }, { connport: ports, messport: ports }) },
    )
    const r = results(output)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    expect(r.get('connect all')).toBe('ResourceExhaustedError')
    expect(r.get('listen all')).toBe('ResourceExhaustedError')
    expect(r.get('udp all')).toBe('ResourceExhaustedError')
    expect(r.get('accept')).toBe('ResourceExhaustedError')
    expect(okValue(r, 'counts')).toEqual([3, 2, 0, 3, 2])
    for (const p of ports) expect(await portFree(p), `port ${p}`).toBe(true)
    await stillResponsive()
  })

  it('grabbing ports outside the sets raises ResourceForbiddenError for each', async () => {
    const grabbed = [1, 22, 80, 443, 1023, 8080, 21062, 21063, 65535]
    const { output, outcome } = await guests.run(
      CHECKS +
        String.raw`
const ports = ${JSON.stringify(grabbed)}
for (const p of ports) {
  check('tcp listen ' + p, () => listenforconnection('127.0.0.1', p))
  check('udp listen ' + p, () => listenformessage('127.0.0.1', p))
  check('udp send ' + p, () => sendmessage('127.0.0.1', 21061, 'x', '127.0.0.1', p))
  await acheck('tcp connect ' + p, () => openconnection('127.0.0.1', 21060, '127.0.0.1', p, 1))
}
check('tcp on the messport', () => listenforconnection('127.0.0.1', 21061))
check('udp on the connport', () => listenformessage('127.0.0.1', 21060))
check('foreign ip', () => listenforconnection('10.1.2.3', 21060))
check('ports used', () => { const u = getresources()[1]; return [u.connport, u.messport, u.insockets, u.outsockets] })
`,
      { restrictions: restrict({}, { connport: [21060], messport: [21061] }) },
    )
    const r = results(output)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    for (const p of grabbed) {
      for (const what of ['tcp listen', 'udp listen', 'udp send', 'tcp connect']) {
        expect(r.get(`${what} ${p}`), `${what} ${p}`).toBe('ResourceForbiddenError')
      }
    }
    for (const label of ['tcp on the messport', 'udp on the connport'])
      expect(r.get(label), label).toBe('ResourceForbiddenError')
    expect(r.get('foreign ip')).toBe('AddressBindingError')
    expect(okValue(r, 'ports used')).toEqual([[], [], 0, 0])
    expect(await portFree(21062)).toBe(true)
    expect(await portFree(21063)).toBe(true)
    await stillResponsive()
  })

  describe('filename path tricks', () => {
    const outside = mkdtempSync(join(tmpdir(), 'flotilla-sentinel-'))
    const sentinel = join(outside, 'sentinel')
    writeFileSync(sentinel, 'untouched')
    afterAll(() => rmSync(outside, { recursive: true, force: true }))

    it('raises RepyArgumentError for each, and creates nothing outside the vessel', async () => {
      const escape = `flotilla-escape-${process.pid}-${Date.now()}`
      const names = [
        `../${escape}`,
        `../${basename(outside)}/sentinel`,
        sentinel,
        '/etc/passwd',
        '.hidden',
        'UPPER.txt',
        'a'.repeat(121),
        'a/b',
        '',
        '.',
        '..',
        'a\u0000b',
        'a b',
        'x\\y',
      ]
      const run = await guests.run(
        CHECKS +
          String.raw`
const names = ${JSON.stringify(names)}
names.forEach((n, i) => {
  check('open ' + i, () => openfile(n, true))
  check('remove ' + i, () => removefile(n))
})
check('120 chars is fine', () => { openfile('a'.repeat(120), true).close(); return 'ok' })
check('files', () => listfiles())
`,
        { keepDir: true },
      )
      try {
        const r = results(run.output)
        names.forEach((name, i) => {
          expect(r.get(`open ${i}`), `openfile(${JSON.stringify(name)})`).toBe('RepyArgumentError')
          expect(r.get(`remove ${i}`), `removefile(${JSON.stringify(name)})`).toBe('RepyArgumentError')
        })
        expect(okValue(r, '120 chars is fine')).toBe('ok')
        expect(okValue(r, 'files')).toEqual(['a'.repeat(120), 'main.js'])
        expect(readdirSync(run.dir).sort()).toEqual(['a'.repeat(120), 'main.js'])
        expect(existsSync(join(tmpdir(), escape))).toBe(false)
        expect(readFileSync(sentinel, 'utf8')).toBe('untouched')
        expect(readdirSync(outside)).toEqual(['sentinel'])
      } finally {
        rmSync(run.dir, { recursive: true, force: true })
      }
      await stillResponsive()
    })
  })
})
