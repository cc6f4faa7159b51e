// `npm run bench`: runs every benchmark in turn and prints its figures. BENCH=name runs one.
import { consoleBench } from './console.bench.js'
import { discoveryBench } from './discovery.bench.js'
import { engineBench } from './engine.bench.js'
import { hostCpuBench } from './host-cpu.bench.js'
import { hostileBench } from './hostile.bench.js'
import { idleBench } from './idle.bench.js'
import { keysBench } from './keys.bench.js'
import { nannyBench } from './nanny.bench.js'
import { natBench } from './nat.bench.js'
import { netBench } from './net.bench.js'
import { nextVesselBench } from './next-vessel.bench.js'
import { nodeBench } from './node.bench.js'
import { nodeLogBench } from './node-log.bench.js'
import { poolBench } from './pool.bench.js'
import { repyBench } from './repy.bench.js'
import { reuseBench } from './reuse.bench.js'
import { runtimeBench } from './runtime.bench.js'
import { shellBench } from './shell.bench.js'
import { startupBench } from './startup.bench.js'
import { warmUpBench } from './warm-up.bench.js'

const benches: Record<string, () => Promise<void>> = {
  runtime: runtimeBench,
  nanny: nannyBench,
  'host-cpu': hostCpuBench,
  node: nodeBench,
  console: consoleBench,
  shell: shellBench,
  discovery: discoveryBench,
  repy: repyBench,
  keys: keysBench,
  hostile: hostileBench,
  'node-log': nodeLogBench,
  net: netBench,
  startup: startupBench,
  pool: poolBench,
  engine: engineBench,
  nat: natBench,
  'warm-up': warmUpBench,
  idle: idleBench,
  reuse: reuseBench,
  'next-vessel': nextVesselBench,
}
const only = process.env.BENCH
if (only && !(only in benches)) {
  console.error(`no benchmark '${only}': BENCH is one of ${Object.keys(benches).join(', ')}`)
  process.exit(2)
}
for (const [name, bench] of Object.entries(benches)) {
  if (only && only !== name) continue
  console.log(`\n=== ${name}`)
  await bench()
}
process.exit(0)
