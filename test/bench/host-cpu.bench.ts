// The sandbox host's whole-process cpu as the OS sees it (/proc/<pid>/stat, what `top` shows) against the vessels'
// cpu quotas: an idle host, one and two busy vessels at cpu 0.10, and a vessel at 0.10 doing heavy loopback TCP
// traffic (every send and recv is a round trip to the host's main thread). Goal: within ±5 % of the sum of quotas.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadavg } from 'node:os'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { SandboxHost } from '../../src/runtime/sandbox.js'
import { GENEROUS_RESTRICTIONS } from '../helpers/run-guest.js'
import { fmt, median } from './stats.js'

const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3)
const WINDOW_SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const CLK_TCK = 100

const processCpu = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

const busyGuest = 'let x = 0; for (;;) { for (let i = 0; i < 2000; i++) x += i * i }'
const trafficGuest = `
const server = listenforconnection('127.0.0.1', 20992)
const out = await openconnection('127.0.0.1', 20992, '127.0.0.1', 20993, 5)
let inbound
for (;;) { try { inbound = server.getconnection()[2]; break } catch (e) { await sleep(0.01) } }
const message = 'x'.repeat(4096)
for (;;) {
  try { out.send(message) } catch (e) {}
  try { inbound.recv(65536) } catch (e) {}
}`

const restrictions = (cpu: number) =>
  parseRestrictions(`${GENEROUS_RESTRICTIONS.replace(/resource cpu .*/, `resource cpu ${cpu}`)}
resource connport 20992
resource connport 20993
`)

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000))

/** Whole-process cpu share of the sandbox host over the window, with `sources` running (one vessel each). */
async function measure(sources: string[], cpu: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-host-cpu-'))
  const host = await SandboxHost.start(dir, {})
  sources.forEach((source, i) => {
    writeFileSync(join(dir, `main${i}.js`), source)
    host.startVessel({
      vesselId: `v${i}`,
      cwd: dir,
      program: `main${i}.js`,
      callargs: [],
      ip: '127.0.0.1',
      restrictions: restrictions(cpu),
    })
  })
  await sleep(WARMUP_SECONDS)
  const cpu0 = processCpu(host.pid!)
  const t0 = performance.now()
  await sleep(WINDOW_SECONDS)
  const share = (processCpu(host.pid!) - cpu0) / ((performance.now() - t0) / 1000)
  await host.shutdown()
  rmSync(dir, { recursive: true, force: true })
  return share
}

export async function hostCpuBench(): Promise<void> {
  console.log(
    `\nwhole sandbox process cpu (/proc/<pid>/stat, ${WINDOW_SECONDS} s after ${WARMUP_SECONDS} s), median of ${RUNS}; load average ${loadavg()
      .map((l) => fmt(l))
      .join(' ')}`,
  )
  const cases: Array<[string, string[], number]> = [
    ['idle host', [], 0],
    ['1 busy vessel at 0.10', [busyGuest], 0.1],
    ['2 busy vessels at 0.10', [busyGuest, busyGuest], 0.2],
    ['1 tcp-traffic vessel at 0.10', [trafficGuest], 0.1],
  ]
  for (const [name, sources, quota] of cases) {
    const shares: number[] = []
    for (let i = 0; i < RUNS; i++) shares.push(await measure(sources, quota / Math.max(1, sources.length)))
    const m = median(shares)
    const vs = quota > 0 ? `quota ${fmt(quota)} (${fmt((m / quota - 1) * 100, 1)} %)` : 'quota 0'
    console.log(`  ${name.padEnd(30)} ${fmt(m, 4)} of a core  [${shares.map((s) => fmt(s, 3)).join(' ')}]  ${vs}`)
  }
  console.log(
    `  load average after: ${loadavg()
      .map((l) => fmt(l))
      .join(' ')}`,
  )
}
