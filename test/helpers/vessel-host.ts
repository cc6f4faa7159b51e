// A real sandbox host running several vessels side by side, each a JavaScript program in a folder of its own under
// `root`; what each vessel prints and how it ends are kept by its id.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Outcome } from '../../src/runtime/api/types.js'
import type { Restrictions } from '../../src/runtime/nanny/resources.js'
import { SandboxHost, type SandboxOptions } from '../../src/runtime/sandbox.js'

export interface VesselHost {
  host: SandboxHost
  outputs: Map<string, string>
  outcomes: Map<string, Outcome>
  /** Starts `source` as vessel `id` on 127.0.0.1. */
  start: (id: string, source: string) => void
}

export async function startVesselHost(root: string, restrictions: Restrictions): Promise<VesselHost> {
  const outputs = new Map<string, string>()
  const outcomes = new Map<string, Outcome>()
  const host = await SandboxHost.start(root, {
    output: (id, text) => outputs.set(id, (outputs.get(id) ?? '') + text),
    exit: (id, outcome) => outcomes.set(id, outcome),
  })
  const start = (id: string, source: string): void => {
    const cwd = mkdtempSync(join(root, `${id}-`))
    writeFileSync(join(cwd, 'main.js'), source)
    host.startVessel({ vesselId: id, cwd, program: 'main.js', callargs: [], ip: '127.0.0.1', restrictions })
  }
  return { host, outputs, outcomes, start }
}

/** A sandbox host started with `options` that keeps each vessel's output by id; `ending(id)`, asked before the vessel
 *  starts, answers how it ends. */
export async function startWatchedHost(root: string, options: SandboxOptions = {}) {
  const outputs = new Map<string, string>()
  const ended = new Map<string, (o: Outcome) => void>()
  const host = await SandboxHost.start(
    root,
    {
      output: (id, text) => outputs.set(id, (outputs.get(id) ?? '') + text),
      exit: (id, outcome) => ended.get(id)?.(outcome),
    },
    options,
  )
  const ending = (id: string): Promise<Outcome> => new Promise<Outcome>((resolve) => ended.set(id, resolve))
  return { host, outputs, ending }
}
