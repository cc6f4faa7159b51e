// One program in a fresh sandbox host process, to its end: what the tests run guests with (`flotilla run` runs the
// same vessel thread in its own process instead: local-run.ts).
import type { Outcome } from './api/types.js'
import type { Restrictions } from './nanny/resources.js'
import { SandboxHost } from './sandbox.js'

export interface ProgramSpec {
  /** The vessel directory; the sandbox host may write only here. */
  cwd: string
  program: string
  args: string[]
  ip: string
  restrictions: Restrictions
}

const VESSEL_ID = 'run'

export interface RunOptions {
  output: (text: string) => void
  /** Aborting it stops the program (status Stopped); a string abort reason becomes the outcome's reason. */
  stop?: AbortSignal
  /** The front-end registry for SandboxHost.start; without it, the program runs as JavaScript or TypeScript. */
  frontEnds?: string
}

/** Runs the program and resolves with how it ended. */
export async function runProgram(spec: ProgramSpec, options: RunOptions): Promise<Outcome> {
  let settle!: (o: Outcome) => void
  const done = new Promise<Outcome>((r) => {
    settle = r
  })
  const host = await SandboxHost.start(
    spec.cwd,
    {
      output: (_id, text) => options.output(text),
      exit: (_id, outcome) => settle(outcome),
      crash: (reason) => settle({ status: 'Terminated', code: 70, reason }),
    },
    {
      frontEnds: options.frontEnds,
      expected: { memoryQuota: spec.restrictions.limits.memory, program: spec.program },
    },
  )
  const onStop = () =>
    host.stopVessel(VESSEL_ID, typeof options.stop?.reason === 'string' ? options.stop.reason : 'stopped')
  options.stop?.addEventListener('abort', onStop, { once: true })
  host.startVessel({
    vesselId: VESSEL_ID,
    cwd: spec.cwd,
    program: spec.program,
    callargs: spec.args,
    ip: spec.ip,
    restrictions: spec.restrictions,
  })
  try {
    return await done
  } finally {
    options.stop?.removeEventListener('abort', onStop)
    await host.shutdown()
  }
}
