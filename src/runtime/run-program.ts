// One program in a fresh sandbox host process, to its end: what the tests run guests with (`flotilla run` runs the
// same vessel thread in its own process instead: local-run.ts).
import type { Outcome } from './api/types.js'
import { stopReason, vesselOf, VESSEL_ID, type ProgramSpec, type RunOptions } from './program-spec.js'
import { SandboxHost } from './sandbox.js'

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
  const onStop = () => host.stopVessel(VESSEL_ID, stopReason(options.stop))
  options.stop?.addEventListener('abort', onStop, { once: true })
  host.startVessel(vesselOf(spec))
  try {
    return await done
  } finally {
    options.stop?.removeEventListener('abort', onStop)
    await host.shutdown()
  }
}
