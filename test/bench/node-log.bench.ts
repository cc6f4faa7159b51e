// The node log's cost, in one run:
//  - one entry of a request (JSON, fields cut to their bounds, a synchronous append to the ring) next to a bare
//    appendFileSync of the same line;
//  - signed requests (ListFilesInVessel, sequential, one client) against a node whose log keeps them (info) and one
//    whose log does not (error), in alternating rounds (BENCH_LOG_CONTROL=1 keeps both at error: the difference
//    then is the noise between two nodes on this machine);
//  - a stranger's flood of refused requests: how many lines reach the log.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ClientTransport } from '../../src/client/node-client.js'
import { NodeLog } from '../../src/node/node-log.js'
import { readNodeLog } from '../../src/node/node-log-reader.js'
import { nodeLogPrefix, nodePaths } from '../../src/node/node-paths.js'
import { startTestNode } from '../node/nm-helpers.js'
import { fmt, median, percentile } from './stats.js'

const ROUNDS = 6
const LINES = 20_000
const REQUESTS = Number(process.env.BENCH_LOG_REQUESTS ?? 500)
const FLOOD = 2_000

const FIELDS = {
  call: 'ListFilesInVessel',
  vessels: ['v1'],
  caller: 'AbCdEfGhIj',
  key: 'ed25519-pub AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefgh=',
  peer: '12D3KooWQ2exMGPxqcJLZBF3kFntsdiDdciamjWSErPgswTKgSZj',
  result: 'ok',
}
const MSG = 'ListFilesInVessel v1 by AbCdEfGhIj from 12D3KooWQ2ex…gSZj: ok'

function perLineUs(n: number, op: () => void): number {
  const t = performance.now()
  for (let i = 0; i < n; i++) op()
  return ((performance.now() - t) * 1000) / n
}

export async function nodeLogBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-nodelog-bench-'))
  try {
    const log = NodeLog.open(join(dir, 'node.log'))
    const line = JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: MSG, ...FIELDS }) + '\n'
    const runs = { entry: [] as number[], append: [] as number[] }
    for (let r = 0; r < ROUNDS; r++) {
      runs.entry.push(perLineUs(LINES, () => log.info(MSG, FIELDS)))
      runs.append.push(perLineUs(LINES, () => appendFileSync(join(dir, 'bare.log'), line)))
      rmSync(join(dir, 'bare.log'), { force: true })
    }
    console.log(`one request entry (${line.length} bytes), median of ${ROUNDS} rounds of ${LINES}:`)
    console.log(`  NodeLog.info (ring file)   ${fmt(median(runs.entry))} µs`)
    console.log(`  appendFileSync, same line  ${fmt(median(runs.append))} µs  (baseline)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  const transport = await ClientTransport.create()
  const logged = await startTestNode({
    transport,
    node: { log: { level: process.env.BENCH_LOG_CONTROL ? 'error' : 'info' } },
  })
  const unlogged = await startTestNode({ transport, node: { log: { level: 'error' } } })
  try {
    const clients = { logged: await logged.client('owner'), unlogged: await unlogged.client('owner') }
    const lat = { logged: [] as number[], unlogged: [] as number[] }
    const rates = { logged: [] as number[], unlogged: [] as number[] }
    for (const c of Object.values(clients)) for (let i = 0; i < 100; i++) await c.call('ListFilesInVessel', ['v1']) // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      // alternating which goes first, so that neither gets the quieter half of a round
      for (const which of r % 2 === 0 ? (['logged', 'unlogged'] as const) : (['unlogged', 'logged'] as const)) {
        const t0 = performance.now()
        for (let i = 0; i < REQUESTS; i++) {
          const t = performance.now()
          await clients[which].call('ListFilesInVessel', ['v1'])
          lat[which].push(performance.now() - t)
        }
        rates[which].push(REQUESTS / ((performance.now() - t0) / 1000))
      }
    }
    console.log(`signed ListFilesInVessel, sequential, ${ROUNDS} alternating rounds of ${REQUESTS}:`)
    for (const which of ['logged', 'unlogged'] as const) {
      console.log(
        `  ${which === 'logged' ? 'log at info (each request written)' : 'log at error (baseline)          '}  ` +
          `${fmt(median(rates[which]), 0)}/s  p50 ${fmt(percentile(lat[which], 50))} ms  p99 ${fmt(percentile(lat[which], 99))} ms`,
      )
    }

    const stranger = await logged.client('stranger')
    for (let i = 0; i < FLOOD; i++) await stranger.call('StopVessel', ['v1']).catch(() => undefined)
    await logged.nm.stop()
    const entries = readNodeLog(nodeLogPrefix(nodePaths(logged.dataDir))) ?? []
    const refusals = entries.filter((e) => e.result === 'E_PERMISSION').length
    const summary = entries.find((e) => typeof e.dropped === 'number')
    console.log(
      `a stranger's ${FLOOD} refused StopVessel: ${refusals} lines written, summary says ${typeof summary?.dropped === 'number' ? summary.dropped : 'none'} dropped`,
    )
  } finally {
    await logged.stop()
    await unlogged.stop()
    await transport.close()
  }
}
