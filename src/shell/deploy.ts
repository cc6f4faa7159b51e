// `deploy`: contact every listed node, then upload and start a program on each vessel where the key is owner or
// user; answers one row per node. Built on the engine's contact and run commands.
import { basename } from 'node:path'
import type { Engine } from './engine.js'
import { quoteWord } from './parse.js'
import { table } from './targets.js'
import type { CommandResult } from './types.js'

export interface DeployRow {
  node: string
  address: string
  vessels: number
  started: number
  failed: number
  /** the distinct errors on this node (contact or run) */
  errors: string[]
}

export interface DeployReport {
  ok: boolean
  /** the command that went wrong, if any (a usage error: bad key, missing file...) */
  error?: string
  rows: DeployRow[]
  vessels: number
  started: number
  failed: number
  unreachable: number
  elapsedMs: number
}

export async function deploy(
  engine: Engine,
  options: { keyBase: string; nodesFile: string; program: string; args: string[] },
): Promise<DeployReport> {
  const started = Date.now()
  const empty = { rows: [], vessels: 0, started: 0, failed: 0, unreachable: 0 }
  const step = async (line: string): Promise<CommandResult> => {
    const [result] = await engine.execute(line)
    return result!
  }
  const keyName = basename(options.keyBase)
  const keys = await step(`loadkeys ${quoteWord(options.keyBase)} as ${quoteWord(keyName)}`)
  if (!keys.ok) return { ok: false, error: keys.error, ...empty, elapsedMs: Date.now() - started }
  const contact = await step(`contact ${quoteWord(options.nodesFile)}`)
  if (!contact.ok) return { ok: false, error: contact.error, ...empty, elapsedMs: Date.now() - started }
  const rows: DeployRow[] = []
  let unreachable = 0
  for (const f of contact.fanout?.failed ?? []) {
    // A node that answered but holds no vessel of the key was reached: it is not counted as unreachable.
    const reached = f.code === 'E_NO_VESSEL'
    if (!reached) unreachable += f.targets.length
    const error = reached ? `reached, no vessel for ${keyName}` : `${f.message} [${f.code}]`
    for (const address of f.targets)
      rows.push({ node: '-', address, vessels: 0, started: 0, failed: 0, errors: [error] })
  }
  let run: CommandResult | undefined
  if (engine.state.targets.size > 0) {
    run = await step(`on %all run ${[options.program, ...options.args].map(quoteWord).join(' ')}`)
    if (!run.ok) return { ok: false, error: run.error, ...empty, elapsedMs: Date.now() - started }
  }
  const s = engine.state
  for (const node of s.nodes.values()) {
    const vessels = [...s.targets.values()].filter((t) => t.peerId === node.peerId).map((t) => t.longName)
    const errors = (run?.fanout?.failed ?? []).filter((f) => f.targets.some((t) => vessels.includes(t)))
    rows.push({
      node: node.short,
      address: node.address,
      vessels: vessels.length,
      started: vessels.filter((v) => run?.fanout?.good.includes(v)).length,
      failed: errors.reduce((n, f) => n + f.targets.filter((t) => vessels.includes(t)).length, 0),
      errors: errors.map((f) => `${f.message} [${f.code}]`),
    })
  }
  rows.sort((a, b) => a.address.localeCompare(b.address))
  const sum = (k: 'vessels' | 'started' | 'failed') => rows.reduce((n, r) => n + r[k], 0)
  return {
    ok: true,
    rows,
    vessels: sum('vessels'),
    started: sum('started'),
    failed: sum('failed'),
    unreachable,
    elapsedMs: Date.now() - started,
  }
}

export function deployLines(report: DeployReport, program: string): string[] {
  const lines = table(
    ['NODE', 'ADDRESS', 'VESSELS', 'STARTED', 'FAILED', 'ERROR'],
    report.rows.map((r) => [
      r.node,
      r.address.replace(/\/p2p\/.*$/, ''),
      String(r.vessels),
      String(r.started),
      String(r.failed),
      r.errors.join('; '),
    ]),
  )
  const reached = report.rows.length - report.unreachable
  lines.push(
    `${program}: started on ${report.started} of ${report.vessels} vessel${report.vessels === 1 ? '' : 's'} on ${reached} node${reached === 1 ? '' : 's'}` +
      (report.unreachable > 0 ? `; ${report.unreachable} node${report.unreachable === 1 ? '' : 's'} not reached` : '') +
      ` (${(report.elapsedMs / 1000).toFixed(1)} s)`,
  )
  return lines
}
