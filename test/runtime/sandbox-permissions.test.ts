// What the sandbox host process may read, checked in a real process started with the sandbox's own permission
// flags: a probe script (copied into the vessels' root, the only place besides the runtime it may read) tries the
// /proc paths that lead to the rest of the file system, and reports where thread-cpu.ts reads a thread's time.
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { permissionFlags, PROJECT_ROOT } from '../../src/runtime/sandbox.js'
import { requireBuild } from '../node/nm-helpers.js'

const root = mkdtempSync(join(tmpdir(), 'flotilla-perm-root-'))
const outside = mkdtempSync(join(tmpdir(), 'flotilla-perm-secret-'))
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

const PROBE = `
import { readFileSync, writeFileSync } from 'node:fs'
import { Worker, isMainThread, parentPort } from 'node:worker_threads'
const { threadCpuSource, threadCpuSeconds } = await import(process.argv[2])
const cpu = () => ({ source: threadCpuSource(), seconds: threadCpuSeconds() })
if (!isMainThread) parentPort.postMessage(cpu())
else {
  const reads = {}
  const writes = {}
  for (const path of ['/proc/self/timerslack_ns', '/proc/self/oom_score_adj']) {
    try { writeFileSync(path, path.endsWith('slack_ns') ? '1' : '0'); writes[path] = 'written' } catch (err) { writes[path] = err.code }
  }
  for (const path of [...JSON.parse(process.argv[3]), '/proc/' + process.pid + '/root/etc/hostname']) {
    try { readFileSync(path); reads[path] = 'read' } catch (err) { reads[path] = err.code }
  }
  const worker = await new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { argv: process.argv.slice(2) })
    w.once('message', resolve)
    w.once('error', reject)
  })
  process.send({ reads, writes, main: cpu(), worker })
}
`

interface ProbeReport {
  reads: Record<string, string>
  writes: Record<string, string>
  main: { source: string; seconds: number }
  worker: { source: string; seconds: number }
}

function probe(paths: string[]): Promise<ProbeReport> {
  const script = join(root, 'probe.mjs')
  writeFileSync(script, PROBE)
  const threadCpu = pathToFileURL(join(PROJECT_ROOT, 'dist/runtime/nanny/thread-cpu.js')).href
  const child = fork(script, [threadCpu, JSON.stringify(paths)], {
    execArgv: permissionFlags(root),
    env: {},
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as ProbeReport))
    child.once('exit', (code) => reject(new Error(`the probe exited with code ${code} before reporting`)))
  })
}

describe('sandbox host permissions', () => {
  it("refuses the /proc ways to files outside its grants, writes only its timer slack there, and still reads each thread's own cpu time", async () => {
    requireBuild()
    const key = join(outside, 'node.privatekey')
    writeFileSync(key, 'secret')
    const own = join(root, 'v1.txt')
    writeFileSync(own, 'a vessel file')
    const refused = [
      key,
      `/proc/self/root${key}`,
      `/proc/thread-self/root${key}`,
      '/proc/self/root/etc/hostname',
      '/proc/1/root/etc/hostname',
      '/proc/self/environ',
      '/proc/self/cwd/v1.txt',
      '/proc/self/task/1/schedstat',
    ]
    const report = await probe([...refused, own])
    for (const path of refused) expect(report.reads[path], path).toBe('ERR_ACCESS_DENIED')
    const ownPidRoot = Object.keys(report.reads).find(
      (p) => /^\/proc\/\d+\/root\/etc\/hostname$/.test(p) && p !== '/proc/1/root/etc/hostname',
    )
    expect(ownPidRoot && report.reads[ownPidRoot]).toBe('ERR_ACCESS_DENIED')
    expect(report.reads[own]).toBe('read')
    // its one write outside the vessels: its own timer slack (timer-slack.ts)
    expect(report.writes).toEqual({
      '/proc/self/timerslack_ns': 'written',
      '/proc/self/oom_score_adj': 'ERR_ACCESS_DENIED',
    })
    expect(report.main.source).toBe('schedstat')
    expect(report.worker.source).toBe('schedstat')
    expect(report.worker.seconds).toBeGreaterThan(0)
  })
})
