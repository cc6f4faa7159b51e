// A node's sandbox host serves one vessel after another on one worker thread (vessel-threads.ts): the next vessel
// finds nothing of the last one (its globals, open files, sockets, timers, cpu and usage), whether the last one
// ended on its own or was stopped while spinning, sleeping, paused by its cpu share or waiting on a socket; a thread
// whose vessel went over its memory quota is not reused. Which thread a vessel runs on is its host usage's threadId.
// Ports 21270-21272.
import { mkdirSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Outcome } from '../../src/runtime/api/types.js'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { restrict } from '../helpers/restrict.js'
import { tempDir } from '../helpers/temp-dir.js'
import { waitFor } from '../helpers/wait-for.js'
import { startWatchedHost } from '../helpers/vessel-host.js'

const root = tempDir('flotilla-reuse-')
afterAll(() => rmSync(root, { recursive: true, force: true }))
const RESTRICTIONS = restrict({}, { connport: [21270, 21271], messport: [21272] })

/** A long-lived host (a node's); run() starts `source` as vessel `id` in folder `dir` and answers its end. */
async function reuseHost() {
  const { host, outputs, ending } = await startWatchedHost(root, { longLived: true, warmUp: false })
  const run = (id: string, source: string, options: { dir?: string; limits?: string } = {}): Promise<Outcome> => {
    const cwd = join(root, options.dir ?? id)
    writeFileSync(join(cwd, 'main.js'), source)
    outputs.delete(id)
    const outcome = ending(id)
    const restrictions = parseRestrictions(options.limits ?? RESTRICTIONS)
    host.startVessel({ vesselId: id, cwd, program: 'main.js', callargs: [], ip: '127.0.0.1', restrictions })
    return outcome
  }
  const line = (id: string, text: string) =>
    waitFor(
      async () => outputs.get(id)?.includes(text),
      () => `'${text}' from ${id} (its output: ${JSON.stringify(outputs.get(id))})`,
    )
  const threadOf = async (id: string): Promise<number> => {
    const usage = await host.hostUsage(id)
    if (!usage) throw new Error(`${id} is not running`)
    return usage.threadId
  }
  return { host, outputs, run, line, threadOf }
}

const mkdir = (name: string): string => {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Open descriptors of process `pid` on the file `path`. */
const openOn = (pid: number, path: string): number =>
  readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === path
    } catch {
      return false // closed meanwhile
    }
  }).length

// Holds a file, a TCP listener and a UDP socket open, leaves a timer and a socket wait pending, and spins until its
// cpu reaches 0.3 s; then ends at once (exitall) with all of that still there.
const FIRST = String.raw`
globalThis.leftBehind = 'first'
mycontext.mark = 'first'
const f = openfile('held.txt', true)
f.writeat('A', 0)
const srv = listenforconnection('127.0.0.1', 21270)
const udp = listenformessage('127.0.0.1', 21272)
createthread(async () => { await sleep(0.5); log('late timer of the first\n'); exitall() })
createthread(async () => { await srv.getconnectionAsync(); log('late connection of the first\n'); exitall() })
log('first ready\n')
while (!listfiles().includes('go')) await sleep(0.01)
while (getresources()[1].cpu < 0.3) {}
exitall()
`

// Finds what the first left, takes the same file and ports, and outlives the first's timer.
const SECOND = String.raw`
const cpu = getresources()[1].cpu
const f = openfile('held.txt', false)
const srv = listenforconnection('127.0.0.1', 21270)
const udp = listenformessage('127.0.0.1', 21272)
log('second ' + JSON.stringify([typeof globalThis.leftBehind, Object.keys(mycontext), cpu < 0.3, f.readat(1, 0)]) + '\n')
const [, , conn] = await srv.getconnectionAsync()
log('second accepted\n')
await sleep(0.6)
conn.close(); srv.close(); udp.close(); f.close()
log('second done\n')
`

describe("a node's sandbox host reuses a vessel's thread", () => {
  it('for the next vessel, which finds nothing of the first: globals, files, sockets, timers, cpu, usage', async () => {
    const { host, outputs, run, line, threadOf } = await reuseHost()
    try {
      const dir = mkdir('same')
      const first = run('v', FIRST, { dir: 'same' })
      await line('v', 'first ready')
      const firstThread = await threadOf('v')
      writeFileSync(join(dir, 'go'), '')
      expect(await first).toMatchObject({ status: 'Terminated', code: 200 })
      const second = run('v', SECOND, { dir: 'same' })
      await line('v', 'second [')
      expect(await threadOf('v')).toBe(firstThread)
      expect(outputs.get('v')).toBe('second ["undefined",[],true,"A"]\n')
      // the first vessel's descriptor of the file is closed; the second's is open
      expect(openOn(host.pid!, join(dir, 'held.txt'))).toBe(1)
      // its cpu (above, as its nanny counts it) and the host's charges to it start from nothing
      expect((await host.hostUsage('v'))!.chargedCpuSeconds).toBeLessThan(0.3)
      // a connection to the port both listened on reaches the second
      const socket = connect(21270, '127.0.0.1')
      socket.on('error', () => undefined)
      await line('v', 'second accepted')
      // the first's timer (0.5 s) has long come due when the second ends on its own
      expect(await second).toMatchObject({ status: 'Terminated', code: 0 })
      socket.destroy()
      expect(outputs.get('v')).toBe('second ["undefined",[],true,"A"]\nsecond accepted\nsecond done\n')
    } finally {
      await host.shutdown()
    }
  })

  it('stopped while spinning, sleeping, paused for its cpu share or waiting on a socket', async () => {
    const { host, run, line, threadOf } = await reuseHost()
    const stopped = async (id: string, source: string, limits?: string): Promise<number> => {
      mkdir(id)
      const outcome = run(id, source, { limits })
      await line(id, 'waiting')
      const thread = await threadOf(id)
      host.stopVessel(id, 'by the test')
      expect(await outcome).toMatchObject({ status: 'Stopped', reason: 'by the test' })
      return thread
    }
    try {
      const spinning = await stopped('spin', "log('waiting\\n'); while (true) {}")
      const sleeping = await stopped('sleep', "log('waiting\\n'); await sleep(1000)")
      const paused = await stopped(
        'paused',
        "log('waiting\\n'); let x = 0; while (true) x++",
        restrict({ cpu: 0.02 }, { connport: [21271] }),
      )
      const accepting = await stopped(
        'accept',
        "const s = listenforconnection('127.0.0.1', 21271); log('waiting\\n'); await s.getconnectionAsync()",
      )
      expect([sleeping, paused, accepting]).toEqual([spinning, spinning, spinning])
      // and the thread serves on after all that
      mkdir('after')
      expect(await run('after', "log('ran')")).toMatchObject({ status: 'Terminated', code: 0 })
    } finally {
      await host.shutdown()
    }
  })

  it('but not one whose vessel went over its memory quota', async () => {
    const { host, run, line, threadOf } = await reuseHost()
    try {
      mkdir('big')
      const big = run(
        'big',
        "log('waiting\\n'); while (!listfiles().includes('go')) await sleep(0.01); const a = []; while (true) a.push('x'.repeat(1 << 16) + a.length)",
        { limits: restrict({ memory: 4_000_000 }) },
      )
      await line('big', 'waiting')
      const bigThread = await threadOf('big')
      writeFileSync(join(root, 'big', 'go'), '')
      expect(await big).toMatchObject({ status: 'Terminated', code: 98 })
      mkdir('next')
      const next = run('next', "log('waiting\\n'); await sleep(1000)")
      await line('next', 'waiting')
      expect(await threadOf('next')).not.toBe(bigThread)
      host.stopVessel('next')
      await next
    } finally {
      await host.shutdown()
    }
  })
})
