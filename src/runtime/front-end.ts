// A program front end: what turns a program file of one language into the module the sandbox evaluates, with the
// language's own guest runtime. The runtime names no language but JavaScript, its own: a worker gets its front ends
// from the registry module its caller names (VesselSpec.frontEnds), so languages plug into the runtime and the
// runtime never imports them.

export interface ProgramFrontEnd {
  /** The program file in the vessel directory as the text of a guest module. Throws UnsafeProgramError when the
   *  language's own checks refuse the code. */
  readonly programSource: (cwd: string, program: string) => string
  /** Evaluated after the prelude while the hidden host function is still reachable: the language's runtime and API. */
  readonly runtimeScript?: () => string
  /** Compiles code that a running program hands over (createvirtualnamespace) into what its runtime evaluates.
   *  Throws UnsafeProgramError like programSource. */
  readonly compile?: (code: string, name: string) => string
  /** The language's runtime schedules its own threads: the nanny hands rate waits to it instead of blocking. */
  readonly deferRateWaits: boolean
}

/** What the registry module exports: the front end that runs a program file (by its name). */
export interface FrontEndRegistry {
  frontEndFor(program: string): Promise<ProgramFrontEnd>
  /** Every language's runtime script (ProgramFrontEnd.runtimeScript), which a node's host parses and runs ahead,
   *  in its engine warm-up (engine-warm-up.ts), so that the first vessels' starts do not load it unoptimized. */
  runtimeScripts?(): Promise<string[]>
}

/** Code a front end refuses: it does not parse, or the language's static checks reject it. */
export class UnsafeProgramError extends Error {
  override name = 'UnsafeProgramError'
}

/** Told by name, not by class: the registry loads the front end apart from the worker, which may hold its own copy
 *  of this module (a bundled worker). */
export function isUnsafeProgramError(err: unknown): err is UnsafeProgramError {
  return err instanceof Error && err.name === 'UnsafeProgramError'
}
