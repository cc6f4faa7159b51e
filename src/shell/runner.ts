// The non-interactive shell: runs a script (from -c, a file or stdin) statement by statement and prints the
// results as text or as one JSON object per command. A command error stops the script (exit 2); failures of
// some targets do not (exit 1 at the end).
import type { Engine } from './engine.js'
import { exitCode, resultJson, resultLines } from './output.js'
import { parseStatements } from './parse.js'
import type { CommandResult } from './types.js'

export interface RunnerOptions {
  json?: boolean
  /** keep going after a command error (the exit code is still 2) */
  keepGoing?: boolean
  out?: (text: string) => void
  err?: (text: string) => void
}

export async function runScript(engine: Engine, script: string, options: RunnerOptions = {}): Promise<number> {
  const out = options.out ?? ((t: string) => process.stdout.write(t))
  const err = options.err ?? ((t: string) => process.stderr.write(t))
  const results: CommandResult[] = []
  const print = (result: CommandResult) => {
    results.push(result)
    if (options.json) out(JSON.stringify(resultJson(result)) + '\n')
    else if (!result.ok) err(resultLines(result).join('\n') + '\n')
    else if (result.lines.length > 0) out(result.lines.join('\n') + '\n')
  }
  for (const s of parseStatements(script)) {
    const result =
      s.error !== undefined
        ? { command: s.text, ok: false, error: s.error, lines: [] }
        : await engine.run(s.words, s.text)
    print(result)
    if (result.exit || (!result.ok && !options.keepGoing)) break
  }
  return exitCode(results)
}
