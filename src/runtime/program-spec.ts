// One program run on its own, as `flotilla run` (local-run.ts) and the tests (run-program.ts) run it: what to run,
// how its output and stop reach the caller, and the one vessel's start fields.
import type { Restrictions } from './nanny/resources.js'

export interface ProgramSpec {
  /** The vessel directory; the sandbox host may write only here. */
  cwd: string
  program: string
  args: string[]
  ip: string
  restrictions: Restrictions
}

/** The one vessel of a program run on its own: its id and start fields, from the spec. */
export const VESSEL_ID = 'run'
export const vesselOf = (spec: ProgramSpec) => ({
  vesselId: VESSEL_ID,
  cwd: spec.cwd,
  program: spec.program,
  callargs: spec.args,
  ip: spec.ip,
  restrictions: spec.restrictions,
})
/** Why the program is stopped when `stop` is aborted: the abort's reason when it is a text. */
export const stopReason = (stop: AbortSignal | undefined): string =>
  typeof stop?.reason === 'string' ? stop.reason : 'stopped'

export interface RunOptions {
  output: (text: string) => void
  /** Aborting it stops the program (status Stopped); a string abort reason becomes the outcome's reason. */
  stop?: AbortSignal
  /** The front-end registry for SandboxHost.start; without it, the program runs as JavaScript or TypeScript. */
  frontEnds?: string
}
