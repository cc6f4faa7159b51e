// Shell fan-out benchmark: `run hello.js` (upload + start) on 1, 10, 50 and 100 vessels of 10 local node managers
// (10 vessels each), three ways: the shell's bounded fan-out (32 at once), seash's fixed 10-way fan-out, and one
// vessel at a time. Wall time and failures per run. Run alone: node --import tsx test/bench/shell.bench.ts
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ClientConnector } from '../../src/shell/connector.js'
import { Engine } from '../../src/shell/engine.js'
import { HELLO, startTestbed, waitFor, type Testbed } from '../shell/helpers.js'

const SIZES = [1, 10, 50, 100]
const STRATEGIES: Array<{ name: string; concurrency: number }> = [
  { name: 'fan-out 32 (flotilla)', concurrency: 32 },
  { name: 'fixed 10 (seash)', concurrency: 10 },
  { name: 'one at a time', concurrency: 1 },
]

/** Waits until no vessel of the testbed runs a program (hello.js ends by itself). */
async function idle(engine: Engine): Promise<void> {
  await waitFor(
    async () => {
      const r = (await engine.execute('on %all list'))[0]!
      return r.ok && (r.data as Array<{ status: string }>).every((row) => row.status !== 'Started')
    },
    'programs to end',
    30_000,
  ).catch(() => console.log('  (some vessels still Started after 30 s)'))
}

export async function shellBench(): Promise<void> {
  const bed: Testbed = await startTestbed(10, 10)
  writeFileSync(join(bed.dir, 'hello.js'), HELLO)
  const engine = new Engine({ connector: new ClientConnector(), cwd: bed.dir })
  try {
    const setup = await engine.execute('loadkeys alice; contact nodes.txt')
    if (setup.some((r) => !r.ok) || engine.state.targets.size !== 100)
      throw new Error(`setup failed: ${JSON.stringify(setup.map((r) => r.error ?? r.lines))}`)
    // spread the chosen vessels over the nodes: vessel i of node j, round-robin
    const all = [...engine.state.targets.values()].sort((a, b) => Number(a.vessel.slice(1)) - Number(b.vessel.slice(1)))
    // a node starts its sandbox host with its first program (docs/ARCHITECTURE.md, 'Vessel lifecycle'): every node
    // runs one before the measured runs, which then find their hosts warm, as on a node in use
    const warm = (await engine.execute('on %all run hello.js warm-up'))[0]!
    if (!warm.ok && warm.fanout === undefined) throw new Error(`warm-up failed: ${warm.error}`)
    const rows: Array<Record<string, string | number>> = []
    for (const size of SIZES) {
      engine.state.setGroup(
        `n${size}`,
        all.slice(0, size).map((t) => t.longName),
      )
      for (const s of STRATEGIES) {
        await idle(engine)
        engine.state.concurrency = s.concurrency
        const started = performance.now()
        const r = (await engine.execute(`on n${size} run hello.js bench`))[0]!
        const ms = performance.now() - started
        const failed = r.fanout?.failed.reduce((n, f) => n + f.targets.length, 0) ?? size
        rows.push({
          vessels: size,
          strategy: s.name,
          'wall ms': Math.round(ms),
          'ms/vessel': Number((ms / size).toFixed(1)),
          failed,
        })
        if (failed > 0)
          console.log(
            `  ${size} ${s.name}: ${r.fanout?.failed.map((f) => `${f.code} ×${f.targets.length}`).join(', ') ?? r.error}`,
          )
      }
    }
    console.table(rows)
  } finally {
    await engine.close()
    await bed.stop()
  }
}

if (process.argv[1]?.endsWith('shell.bench.ts')) {
  await shellBench()
  process.exit(0)
}
