// Loads the program and the modules it imports, only from the vessel directory and only by Repy filenames.
// A .ts file has its types stripped (sucrase) before it runs.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import type { QuickJSRuntime } from 'quickjs-emscripten'
import { filenameProblem } from './api/validate.js'
import { BLOCK, blocksCharged } from './api/files.js'
import type { Nanny } from './nanny/nanny.js'

export function programSource(cwd: string, name: string): string {
  const text = readFileSync(join(cwd, name), 'utf8')
  return name.endsWith('.ts') ? stripTypes(text, name) : text
}

export const isRepyProgram = (name: string): boolean => name.endsWith('.r2py')

/** A Repy program becomes a module that hands its compiled code to the Python runtime and waits for its main
 *  thread. The source is read as latin1: a Repy string is bytes. `compile` throws RepyCodeError for unsafe code. */
export function repyProgramSource(cwd: string, name: string, compile: (source: string, name: string) => string): string {
  return `await __flotilla_repy(${compile(readFileSync(join(cwd, name), 'latin1'), name)}, ${JSON.stringify(name)})\n`
}

const REPY_RUNTIME_FILE = new URL('../repy/guest-runtime.js', import.meta.url)
/** The bundled Python runtime (scripts/bundle-guest.mjs), read once per worker that runs a Repy program. */
export const repyRuntimeScript = (): string => readFileSync(REPY_RUNTIME_FILE, 'utf8')

// Loaded on the first .ts file only: it adds about 3.6 MB to every vessel's worker otherwise.
const require = createRequire(import.meta.url)
let sucrase: typeof import('sucrase') | undefined

export function stripTypes(code: string, filePath: string): string {
  sucrase ??= require('sucrase') as typeof import('sucrase')
  return sucrase.transform(code, { transforms: ['typescript'], disableESTransforms: true, filePath }).code
}

/** `import './util.js'` and `import 'util.js'` name the file util.js in the vessel directory; nothing else resolves.
 *  The normalizer never fails (quickjs-emscripten loses a normalizer's error and loads '' instead): the loader
 *  refuses a name that is not a Repy filename, with the name as written. */
export function normalizeModuleName(requested: string): string {
  return requested.startsWith('./') ? requested.slice(2) : requested
}

/** `onRefused` is told of every module that could not be loaded, before the import fails. */
export function installModuleLoader(rt: QuickJSRuntime, cwd: string, nanny: Nanny, onRefused: () => void = () => {}): void {
  rt.setModuleLoader(
    (name) => {
      const problem = filenameProblem(name)
      if (problem) {
        onRefused()
        return { error: new Error(`cannot import '${name}': ${problem} (modules are files in the vessel directory)`) }
      }
      try {
        nanny.waitFor('fileread')
        const source = programSource(cwd, name)
        nanny.charge('fileread', Math.max(BLOCK, blocksCharged(0, Buffer.byteLength(source))))
        return source
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        onRefused()
        return { error: new Error(code === 'ENOENT' ? `cannot import '${name}': no such file in the vessel` : `cannot import '${name}': ${(err as Error).message}`) }
      }
    },
    (_base, requested) => normalizeModuleName(requested),
  )
}
