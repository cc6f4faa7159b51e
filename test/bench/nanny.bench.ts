// Nanny benchmarks (issue: every resource held to its quota): a busy guest under cpu 0.10 / 0.25 / 0.50 for 10 s
// — the share it got (its thread's cpu from /proc, and the whole sandbox process from /proc/<pid>/stat) and the
// longest pause it saw — and filewrite / loopsend at a quota of 100,000 bytes/s over 10 s.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { SandboxHost } from '../../src/runtime/sandbox.js'
import { GENEROUS_RESTRICTIONS } from '../helpers/run-guest.js'
import { fmt } from './stats.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CLK_TCK = 100

const processCpu = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK // utime + stime
}

/** Runs `source` under `restrictions`; returns its output and the sandbox process's cpu seconds meanwhile. */
async function measure(source: string, restrictions: string): Promise<{ output: string; processShare: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-nanny-bench-'))
  writeFileSync(join(dir, 'main.js'), source)
  let output = ''
  let done!: () => void
  const finished = new Promise<void>((r) => {
    done = r
  })
  const host = await SandboxHost.start(dir, {
    output: (_v, t) => {
      output += t
    },
    exit: () => done(),
    crash: () => done(),
  })
  const cpu0 = processCpu(host.pid!)
  const t0 = performance.now()
  host.startVessel({
    vesselId: 'b',
    cwd: dir,
    program: 'main.js',
    callargs: [],
    ip: '127.0.0.1',
    restrictions: parseRestrictions(restrictions),
  })
  await finished
  const wall = (performance.now() - t0) / 1000
  const processShare = (processCpu(host.pid!) - cpu0) / wall
  await host.shutdown()
  rmSync(dir, { recursive: true, force: true })
  return { output, processShare }
}

const busyGuest = `
const [, u0] = getresources(); const start = getruntime(); let last = start, longest = 0, over20 = 0, x = 0
while (last - start < ${SECONDS}) {
  for (let i = 0; i < 2000; i++) x += i * i
  const now = getruntime(); const gap = now - last
  if (gap > longest) longest = gap
  if (gap > 0.02) over20++
  last = now
}
const [, u1, stops] = getresources()
log(JSON.stringify({ share: (u1.cpu - u0.cpu) / (last - start), longest, over20, stops: stops.length }))
`

const rateGuest = (kind: 'filewrite' | 'loopsend') => `
const start = getruntime(); let charged = 0, at1 = null
const mark = () => { if (at1 === null && getruntime() - start >= 1) at1 = [getruntime(), charged] }
${
  kind === 'filewrite'
    ? `const f = openfile('out.bin', true); const block = 'z'.repeat(4096)
while (getruntime() - start < ${SECONDS}) { f.writeat(block, 0); charged += 4096; mark() }`
    : `const inbox = listenformessage('127.0.0.1', 20990); const msg = 'm'.repeat(1000)
while (getruntime() - start < ${SECONDS}) { sendmessage('127.0.0.1', 20990, msg, '127.0.0.1', 20991); charged += 64 + 1000; mark(); try { for (;;) inbox.getmessage() } catch (e) {} }`
}
const end = getruntime()
log(JSON.stringify({ rate: charged / (end - start), steady: (charged - at1[1]) / (end - at1[0]) }))
`

const withLimits = (extra: Record<string, string>) => {
  let text = GENEROUS_RESTRICTIONS
  for (const [k, v] of Object.entries(extra)) text = text.replace(new RegExp(`resource ${k} .*`), `resource ${k} ${v}`)
  return text + '\nresource messport 20990\nresource messport 20991\n'
}

export async function nannyBench(): Promise<void> {
  console.log(
    `\ncpu: busy guest for ${SECONDS} s (share of one core; goal within ±5 % of the quota, no pause over 20 ms at 0.10)`,
  )
  for (const quota of [0.1, 0.25, 0.5]) {
    const { output, processShare } = await measure(busyGuest, withLimits({ cpu: String(quota) }))
    const r = JSON.parse(output) as { share: number; longest: number; over20: number; stops: number }
    console.log(
      `  cpu ${fmt(quota)}: guest thread ${fmt(r.share, 4)} (${fmt((r.share / quota - 1) * 100, 1)} %)   whole sandbox process ${fmt(processShare, 4)}   longest pause ${fmt(r.longest * 1000, 1)} ms   pauses > 20 ms: ${r.over20}`,
    )
  }
  console.log(
    `\nrates at a quota of 100,000 bytes/s over ${SECONDS} s (goal within ±5 %); the one-second bucket lets a`,
  )
  console.log(
    `  program use one second's worth up front, so the whole window shows about +1/${SECONDS}; steady = after the first second`,
  )
  for (const kind of ['filewrite', 'loopsend'] as const) {
    const { output } = await measure(rateGuest(kind), withLimits({ [kind]: '100000' }))
    const r = JSON.parse(output) as { rate: number; steady: number }
    const pct = (x: number) => `${fmt((x / 100000 - 1) * 100, 1)} %`
    console.log(
      `  ${kind.padEnd(9)} whole window ${fmt(r.rate, 0)} bytes/s (${pct(r.rate)})   steady ${fmt(r.steady, 0)} bytes/s (${pct(r.steady)})`,
    )
  }
}
