// Hostile-load benchmark (BENCH=hostile): the owner's GetVessels and StartVessel latency on a real node manager
// (a child process, default limits, real vessels), quiet, then while an attacker process runs each attack alone and
// all at once: (a) idle streams and partial 16 MB frames from 4 peers, (b) a flood of requests signed by fresh keys, (c) a user's
// program ending with a 20 M-character exception name, restarted again and again, (d) a user's program calling
// sleep(new Array(2e6).fill(123456789)) in a loop under resource cpu .1. Prints the latencies, the owner's failed
// requests by code, and what the attacker got.
import { spawn, type ChildProcess } from 'node:child_process'
import { loadavg } from 'node:os'
import { readFileSync, rmSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { initNode } from '../../src/node/node-config.js'
import { nodePaths } from '../../src/node/node-paths.js'
import { VesselStore } from '../../src/node/vessel-store.js'
import { NodeError } from '../../src/protocol/errors.js'
import type { NodeSummary } from '../../src/protocol/results.js'
import { makeKeys, tempDir } from '../node/nm-helpers.js'
import { fmt, percentile } from './stats.js'

const ROOT = new URL('../../', import.meta.url).pathname
const PHASE_MS = Number(process.env.BENCH_HOSTILE_MS ?? 12_000)
/** One phase per attack, then all of them at once (BENCH_HOSTILE_ATTACKS='streams;flood' picks phases). */
const ATTACKS = (
  process.env.BENCH_HOSTILE_ATTACKS ?? 'streams;flood;bigname;sleeparray;streams,flood,bigname,sleeparray'
).split(';')
const CALL_TIMEOUT_MS = 10_000
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const PROGRAMS = {
  'sleeper.js': 'while (true) await sleep(0.5)\n',
  'bigname.js': "const e = new Error('x'); e.name = 'X'.repeat(2e7); throw e\n",
  'sleeparray.js': 'for (;;) { try { await sleep(new Array(2e6).fill(123456789)) } catch (e) { await sleep(0.01) } }\n',
}

interface Phase {
  getVessels: number[]
  startVessel: number[]
  failed: Record<string, number>
}

/** The owner's calls for `ms`: a GetVessels loop, and a StartVessel (+ StopVessel, not timed) loop on v1, side by side. */
async function measure(owner: NodeClient, ms: number): Promise<Phase> {
  const phase: Phase = { getVessels: [], startVessel: [], failed: {} }
  const end = performance.now() + ms
  const timed = async (call: string, into: number[], fn: () => Promise<unknown>): Promise<void> => {
    const t = performance.now()
    try {
      await fn()
      into.push(performance.now() - t)
    } catch (err) {
      const key = `${call} ${err instanceof NodeError ? err.code : 'error'}`
      phase.failed[key] = (phase.failed[key] ?? 0) + 1
    }
  }
  const options = { timeoutMs: CALL_TIMEOUT_MS }
  await Promise.all([
    (async () => {
      while (performance.now() < end) await timed('GetVessels', phase.getVessels, () => owner.getVessels(options))
    })(),
    (async () => {
      while (performance.now() < end) {
        await timed('StartVessel', phase.startVessel, () =>
          owner.call('StartVessel', ['v1', 'sleeper.js', []], options),
        )
        await owner.call('StopVessel', ['v1'], options).catch(() => undefined)
      }
    })(),
  ])
  return phase
}

export async function hostileBench(): Promise<void> {
  const dir = tempDir('flotilla-hostile-bench-')
  chmodSync(dir, 0o711) // as a data folder usually is: a node run as root gives its sandbox host to nobody
  const keysDir = join(dir, 'keys')
  const dataDir = join(dir, 'data')
  const { owner, user } = await makeKeys(keysDir)
  const paths = nodePaths(dataDir)
  const store = await VesselStore.open(paths.state)
  await initNode(store, paths, keysDir, { donatePercent: 50, vessels: 4, listen: ['/ip4/127.0.0.1/tcp/0'] })
  await store.close()
  // --quiet: the node still writes every request to its log file, but not to this terminal
  const node: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'bin/flotilla'), 'node', 'start', '--data', dataDir, '--keys', keysDir, '--json', '--quiet'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const transport = await ClientTransport.create()
  let attacker: ChildProcess | undefined
  try {
    const line = await new Promise<string>((resolve) => createInterface({ input: node.stdout! }).once('line', resolve))
    const summary = JSON.parse(line) as NodeSummary
    const address = summary.addresses[0]!
    const client = await NodeClient.connect(address, { identity: owner, transport })
    // v3 becomes a vessel with resource cpu .1 (its leftover keeps the rest)
    const [, slow] = await client.call('SplitVessel', [
      'v3',
      'resource cpu .1\nresource memory 100000000\nresource diskused 10000000\nresource events 10\n',
    ])
    for (const [vessel, program] of [
      ['v1', 'sleeper.js'],
      ['v2', 'bigname.js'],
      [slow, 'sleeparray.js'],
    ] as const) {
      await client.call('AddFileToVessel', [vessel, program, enc(PROGRAMS[program])])
      if (vessel !== 'v1') await client.call('ChangeUsers', [vessel, [user.publicKeyText]])
    }
    await measure(client, 2000) // warm-up
    const quiet = await measure(client, PHASE_MS)
    const load: Record<string, number> = { quiet: loadavg()[0]! }
    const rows = [
      ['GetVessels', quiet.getVessels],
      ['StartVessel', quiet.startVessel],
    ] as const
    const table: Array<Record<string, string | number>> = rows.map(([call, q]) => ({
      call,
      attack: '-',
      n: q.length,
      'p50 ms': fmt(percentile(q, 50)),
      'p99 ms': fmt(percentile(q, 99)),
      'p50 ×': '1.0',
      'p99 ×': '1.0',
    }))
    const notes: string[] = [`quiet: owner failed ${JSON.stringify(quiet.failed)}`]
    for (const attacks of ATTACKS) {
      attacker = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'test/bench/hostile-attacker.ts'), address, keysDir, slow, attacks],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      )
      const exited = new Promise((r) => attacker!.once('exit', r))
      attacker.stdin!.on('error', () => undefined)
      const lines = createInterface({ input: attacker.stdout! })[Symbol.asyncIterator]()
      await lines.next() // ready
      await sleep(2000) // let the attacks get going
      const phase = await measure(client, PHASE_MS)
      load[attacks] = loadavg()[0]!
      const rss = rssMb(node.pid!)
      attacker.stdin!.write('stop\n', () => undefined)
      const report = String((await lines.next()).value ?? 'nothing (the attacker process ended early)')
      await exited
      attacker = undefined
      for (const [call, q] of rows) {
        const a = call === 'GetVessels' ? phase.getVessels : phase.startVessel
        table.push({
          call,
          attack: attacks,
          n: a.length,
          'p50 ms': fmt(percentile(a, 50)),
          'p99 ms': fmt(percentile(a, 99)),
          'p50 ×': fmt(percentile(a, 50) / percentile(q, 50), 1),
          'p99 ×': fmt(percentile(a, 99) / percentile(q, 99), 1),
        })
      }
      notes.push(
        `${attacks}: owner failed ${JSON.stringify(phase.failed)}; node RSS ${fmt(rss, 0)} MB; attacker got ${report}`,
      )
      // the guest attacks leave their vessels with their last exit: fresh vessels for the next phase
      for (const [vessel, program] of [
        ['v2', 'bigname.js'],
        [slow, 'sleeparray.js'],
      ] as const) {
        await client.call('ResetVessel', [vessel], { timeoutMs: 60_000 }).catch(() => undefined)
        await client.call('AddFileToVessel', [vessel, program, enc(PROGRAMS[program])], { timeoutMs: 60_000 })
      }
    }
    console.table(table)
    for (const note of notes) console.log(note)
    console.log(
      `load average (1 min) at the end of each phase: ${Object.entries(load)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}`,
    )
    await client.close()
  } finally {
    attacker?.kill('SIGTERM')
    await transport.close()
    node.kill('SIGTERM')
    await new Promise((r) => node.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024
}
