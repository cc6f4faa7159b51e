// Runs a guest program through the real sandbox host process (compiled code in dist/) and collects its output.
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import type { ProgramSpec } from '../../src/runtime/program-spec.js'
import { runProgram } from '../../src/runtime/run-program.js'
import { FRONT_ENDS_MODULE } from '../../src/front-ends.js'
import type { Outcome } from '../../src/runtime/api/types.js'
import { tempDir } from './temp-dir.js'

export const GENEROUS_RESTRICTIONS = `
resource cpu 1
resource memory 64000000
resource diskused 10000000
resource events 10
resource filesopened 5
resource fileread 10000000
resource filewrite 10000000
resource insockets 5
resource outsockets 5
resource netsend 10000000
resource netrecv 10000000
resource loopsend 10000000
resource looprecv 10000000
resource lograte 10000000
resource random 1000000
`

export interface GuestRun {
  output: string
  outcome: Outcome
  /** Files left in the vessel directory, if `keepDir` was set. */
  dir: string
}

export interface GuestOptions {
  restrictions?: string
  args?: string[]
  /** Extra files placed in the vessel directory before the program starts. */
  files?: Record<string, string | Buffer>
  /** Program file name (default main.js). */
  program?: string
  /** Stop the program after this long (it then ends as Stopped). Default 20 s. */
  timeoutMs?: number
  /** Stop the program as soon as its output passes this test (an event, not a time: it holds on a loaded machine). */
  stopWhen?: (output: string) => boolean
  ip?: string
  keepDir?: boolean
}

/** How long a guest may run before the test stops it, unless `timeoutMs` says otherwise. */
export const GUEST_TIMEOUT_MS = 20_000

/** Writes the program and its extra files into `dir` and gives the program's spec, with the options' defaults (for
 *  runGuest and the shared host, test/helpers/shared-host.ts). */
export function guestProgram(dir: string, source: string, options: GuestOptions): ProgramSpec {
  const program = options.program ?? 'main.js'
  writeFileSync(join(dir, program), source)
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), content)
  return {
    cwd: dir,
    program,
    args: options.args ?? [],
    ip: options.ip ?? '127.0.0.1',
    restrictions: parseRestrictions(options.restrictions ?? GENEROUS_RESTRICTIONS),
  }
}

export async function runGuest(source: string, options: GuestOptions = {}): Promise<GuestRun> {
  const dir = tempDir('flotilla-test-')
  const spec = guestProgram(dir, source, options)
  let output = ''
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort('test timeout'), options.timeoutMs ?? GUEST_TIMEOUT_MS)
  try {
    const outcome = await runProgram(spec, {
      output: (text) => {
        output += text
        if (options.stopWhen?.(output)) timeout.abort('stopped by the test')
      },
      stop: timeout.signal,
      frontEnds: FRONT_ENDS_MODULE,
    })
    return { output, outcome, dir }
  } finally {
    clearTimeout(timer)
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true })
  }
}
