// Console benchmark (issue: node owner's console): the cpu that `flotilla node top` itself uses while it watches
// 20 running vessels (from /proc/<pid>/stat over ~10 s), and the delay from a guest's log line to its appearance
// on the screen of a real terminal (tmux capture-pane polled every ~20 ms), median over several lines.
// The guest logs a line when told: each UDP message it gets on its port becomes a log line.
//   node --import tsx test/bench/console.bench.ts      (or register consoleBench in test/bench/run.ts)
import { execFileSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { TmuxSession } from '../tui/fixtures/tmux.js'
import { runGuest, startTestNode, topCommand } from '../tui/fixtures/node.js'
import { fmt, median, percentile, table } from './stats.js'

const VESSELS = 20
const CPU_SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 10)
const LINES = Number(process.env.BENCH_LINES ?? 15)

/** Logs "alive <n>" every second: a vessel with a little activity. */
const IDLE_GUEST = "let i = 0\nwhile (true) { log('alive ' + i++ + '\\n'); await sleep(1) }\n"
/** Logs every UDP message it receives on port callargs[0]. */
const ECHO_GUEST = `
const port = Number(callargs[0])
const sock = listenformessage(getmyip(), port)
log('ready on ' + port + '\\n')
while (true) {
  try {
    const [, , message] = sock.getmessage()
    log(message + '\\n')
  } catch (e) {
    if (!(e instanceof SocketWouldBlockError)) throw e
    await sleep(0.005)
  }
}
`

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/** utime + stime of a process, in seconds. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

async function cpuShareOver(pid: number, seconds: number): Promise<number> {
  const c0 = cpuSecondsOf(pid)
  const t0 = performance.now()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  return (cpuSecondsOf(pid) - c0) / ((performance.now() - t0) / 1000)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export async function consoleBench(): Promise<void> {
  const node = await startTestNode({ vessels: VESSELS, donate: '40%' })
  const tmux = new TmuxSession(`flotilla-top-bench-${process.pid}`)
  const udp = createSocket('udp4')
  try {
    const summary = await node.client.call('GetVessels', [])
    const echoPort = summary.vessels[0]!.ports[0]!
    await runGuest(node.client, 'v1', 'echo.js', ECHO_GUEST, [String(echoPort)])
    for (
      let t = Date.now();
      !Buffer.from(await node.client.call('ReadVesselLog', ['v1']))
        .toString()
        .includes('ready');
      await sleep(100)
    ) {
      if (Date.now() - t > 10_000) throw new Error('the echo guest did not start')
    }
    for (const v of summary.vessels.slice(1)) await runGuest(node.client, v.name, 'idle.js', IDLE_GUEST)

    tmux.start(`${topCommand()} --node ${node.listen} --keys ${node.keys}`, 120, 35)
    await tmux.waitFor((s) => /^v20 +Started/m.test(s) || /↓ \d+ more/.test(s), 20_000, 'the table of 20 vessels')
    await sleep(2000)
    const pid = tmux.pid()
    const tableCpu = await cpuShareOver(pid, CPU_SECONDS)

    tmux.keys('Enter')
    await tmux.waitFor((s) => /^ready on \d+/m.test(s), 5000, 'the log of v1')
    const delays: number[] = []
    for (let i = 0; i < LINES; i++) {
      const token = `mark-${i}-${Math.random().toString(36).slice(2, 10)}`
      const t0 = performance.now()
      udp.send(token, echoPort, '127.0.0.1')
      for (;;) {
        if (tmux.capture().includes(token)) break
        if (performance.now() - t0 > 10_000) {
          const v1 = (await node.client.call('GetVessels', [])).vessels[0]
          const log = Buffer.from(await node.client.call('ReadVesselLog', ['v1'])).toString()
          throw new Error(
            `log line ${token} did not appear; v1 is ${v1?.status}, its log: ${JSON.stringify(log.slice(-300))}\n${tmux.capture()}`,
          )
        }
        await sleep(20)
      }
      delays.push(performance.now() - t0)
      await sleep(150 + Math.random() * 100)
    }
    const logCpu = await cpuShareOver(pid, Math.min(5, CPU_SECONDS))
    tmux.keys('q')

    table([
      {
        measure: `top cpu, table of ${VESSELS} running vessels (${CPU_SECONDS} s)`,
        value: `${fmt(tableCpu * 100, 1)} % of a core`,
      },
      {
        measure: `top cpu, following a log (${Math.min(5, CPU_SECONDS)} s)`,
        value: `${fmt(logCpu * 100, 1)} % of a core`,
      },
      { measure: `log line → screen, median of ${LINES}`, value: `${fmt(median(delays), 0)} ms` },
      {
        measure: 'log line → screen, p90 / min / max',
        value: `${fmt(percentile(delays, 90), 0)} / ${fmt(Math.min(...delays), 0)} / ${fmt(Math.max(...delays), 0)} ms`,
      },
    ])
  } finally {
    udp.close()
    tmux.kill()
    await node.destroy()
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await consoleBench()
  process.exit(0)
}
