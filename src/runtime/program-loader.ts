// Loads the program and the modules it imports, only from the vessel directory and only by Repy filenames.
// A .ts file has its types stripped (sucrase) before it runs. Other languages come as front ends (front-end.ts).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { QuickJSRuntime } from 'quickjs-emscripten'
import { filenameProblem } from './api/validate.js'
import { BLOCK, blocksCharged } from './api/files.js'
import type { FrontEndRegistry, ProgramFrontEnd } from './front-end.js'
import type { Nanny } from './nanny/nanny.js'

export function programSource(cwd: string, name: string): string {
  const text = readFileSync(join(cwd, name), 'utf8')
  return name.endsWith('.ts') ? stripTypes(text, name) : text
}

/** JavaScript and TypeScript: the program is its own module. */
export const javascriptFrontEnd: ProgramFrontEnd = { programSource, deferRateWaits: false }

/** The front end for `program` from the registry module at `registry` (an absolute path); without a registry,
 *  every program is JavaScript or TypeScript. */
export async function loadFrontEnd(registry: string | undefined, program: string): Promise<ProgramFrontEnd> {
  if (registry === undefined) return javascriptFrontEnd
  const module = (await importRegistry(registry)) as Partial<FrontEndRegistry>
  if (typeof module.frontEndFor !== 'function')
    throw new Error(`${registry} is not a front-end registry (no frontEndFor)`)
  return module.frontEndFor(program)
}

const importRegistry = (registry: string): Promise<unknown> => import(pathToFileURL(registry).href)

/** The registry's runtime scripts (FrontEndRegistry.runtimeScripts); none without a registry. */
export async function runtimeScriptsOf(registry: string | undefined): Promise<string[]> {
  if (registry === undefined) return []
  const module = (await importRegistry(registry)) as Partial<FrontEndRegistry>
  return typeof module.runtimeScripts === 'function' ? module.runtimeScripts() : []
}

/** Loads the registry ahead of its vessel; a registry that fails to load fails that vessel's start (loadFrontEnd). */
export async function preloadFrontEnds(registry: string): Promise<void> {
  await importRegistry(registry).catch(() => undefined)
}

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
export function installModuleLoader(
  rt: QuickJSRuntime,
  cwd: string,
  nanny: Nanny,
  onRefused: () => void = () => {},
): void {
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
        return {
          error: new Error(
            code === 'ENOENT'
              ? `cannot import '${name}': no such file in the vessel`
              : `cannot import '${name}': ${(err as Error).message}`,
          ),
        }
      }
    },
    (_base, requested) => normalizeModuleName(requested),
  )
}
