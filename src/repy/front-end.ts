// The Repy front end the sandbox's workers plug in (src/front-ends.ts): a .r2py program is checked and compiled to
// JavaScript here, and runs on the Python runtime bundled from guest/ (scripts/bundle-guest.mjs).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { UnsafeProgramError, type ProgramFrontEnd } from '../runtime/front-end.js'
import { RepyCodeError, compileRepy } from './index.js'

const RUNTIME_FILE = new URL('./guest-runtime.js', import.meta.url)

/** compileRepy, with the code it refuses as the runtime's UnsafeProgramError. */
function compile(code: string, name: string): string {
  try {
    return compileRepy(code, name)
  } catch (err) {
    if (err instanceof RepyCodeError) throw new UnsafeProgramError(err.repyText)
    throw err
  }
}

export const repyFrontEnd: ProgramFrontEnd = {
  /** A module that hands the compiled program to the Python runtime and waits for its main thread. The source is
   *  read as latin1: a Repy string is bytes. */
  programSource: (cwd, program) =>
    `await __flotilla_repy(${compile(readFileSync(join(cwd, program), 'latin1'), program)}, ${JSON.stringify(program)})\n`,
  /** The bundled Python runtime, read once per worker that runs a Repy program. */
  runtimeScript: () => readFileSync(RUNTIME_FILE, 'utf8'),
  compile,
  // The Python runtime's scheduler runs the other threads while one waits.
  deferRateWaits: true,
}
