// StartVessel to the program's first log line, as a node's owner sees it: the start latency both node benchmarks
// report.
import { performance } from 'node:perf_hooks'
import type { NodeClient } from '../../src/client/node-client.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function vesselOf(client: NodeClient, name: string): Promise<{ status: string; exit?: unknown }> {
  return (await client.getVessels()).vessels.find((v) => v.name === name)!
}

export interface FirstLineRun {
  /** vessels started in turn (each already holds `program`) */
  runners: string[]
  program: string
  /** the text the program logs first */
  line: string
  starts: number
  /** wait before each start, after the vessel's last run ended */
  pauseMs?: number
}

/** Ms from StartVessel accepted to `line` read back with TailVesselLog, one figure per start. */
export async function firstLineLatencies(client: NodeClient, run: FirstLineRun): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < run.starts; i++) {
    const v = run.runners[i % run.runners.length]!
    while ((await vesselOf(client, v)).status === 'Started') await sleep(5)
    if ((run.pauseMs ?? 0) > 0) await sleep(run.pauseMs!)
    let offset = (await client.call('TailVesselLog', [v, 0])).nextOffset
    const t = performance.now()
    await client.call('StartVessel', [v, run.program, []])
    let seen = ''
    while (!seen.includes(run.line)) {
      const chunk = await client.call('TailVesselLog', [v, offset])
      seen += Buffer.from(chunk.data).toString()
      offset = chunk.nextOffset
      if (chunk.data.length === 0 && !seen.includes(run.line)) {
        // The tail waited its second for nothing (a loaded machine): if the program has ended meanwhile, its output
        // is in the log by now (it is written before the end is recorded), so one more read settles it.
        const vessel = await vesselOf(client, v)
        if (vessel.status !== 'Started') {
          const last = await client.call('TailVesselLog', [v, offset])
          seen += Buffer.from(last.data).toString()
          offset = last.nextOffset
          if (!seen.includes(run.line))
            throw new Error(
              `${run.program} ended without its line in ${v}: ${vessel.status} ${JSON.stringify(vessel.exit)}`,
            )
        }
      }
    }
    latencies.push(performance.now() - t)
  }
  return latencies
}
