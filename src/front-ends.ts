// The program front ends the sandbox's workers use: JavaScript and TypeScript (the runtime's own) and Repy. This is
// where the languages are put together with the runtime: SandboxHost.start is given FRONT_ENDS_MODULE, and each
// worker loads this module from the built tree to find its program's front end; the runtime imports no language.
import type { FrontEndRegistry } from './runtime/front-end.js'
import { javascriptFrontEnd } from './runtime/program-loader.js'

/** This module in the built tree (dist/), for SandboxHost.start's frontEnds. */
export const FRONT_ENDS_MODULE = 'front-ends.js'

/** The program files flotilla runs. */
export const PROGRAM_EXTENSIONS: readonly string[] = ['.js', '.ts', '.r2py']

/** Repy's runtime script; JavaScript has none. */
export const runtimeScripts: NonNullable<FrontEndRegistry['runtimeScripts']> = async () => {
  const repy = (await import('./repy/front-end.js')).repyFrontEnd
  return repy.runtimeScript ? [repy.runtimeScript()] : []
}

/** Any program that is not Repy runs as JavaScript (TypeScript by its .ts name). */
export const frontEndFor: FrontEndRegistry['frontEndFor'] = async (program) => {
  // Loaded only for a Repy program: the compiler costs about 1 MB in each worker.
  if (program.endsWith('.r2py')) return (await import('./repy/front-end.js')).repyFrontEnd
  return javascriptFrontEnd
}
