// Results as text lines and as JSON objects (one per command), and the exit code of a run.
import type { CommandResult } from './types.js'

export const EXIT_OK = 0
export const EXIT_TARGET_FAILED = 1
export const EXIT_USAGE = 2

/** The text of a result: its lines, or one error line. */
export function resultLines(result: CommandResult): string[] {
  if (!result.ok) return [`error: ${result.error ?? 'failed'}`]
  return result.lines
}

/** Did some target of this command fail? */
export function targetFailed(result: CommandResult): boolean {
  return (result.fanout?.failed.length ?? 0) > 0
}

export function resultJson(result: CommandResult): Record<string, unknown> {
  const out: Record<string, unknown> = { command: result.command, ok: result.ok }
  if (!result.ok) {
    out.error = result.error
    return out
  }
  if (result.fanout) {
    const f = result.fanout
    Object.assign(out, {
      allOk: f.failed.length === 0,
      good: f.good,
      failed: f.failed,
      results: f.results,
      groups: f.groups,
      elapsedMs: f.elapsedMs,
    })
  }
  if (result.data !== undefined) out.data = result.data
  out.output = result.lines
  return out
}

/** 2 if a command was wrong, else 1 if some target failed, else 0. */
export function exitCode(results: CommandResult[]): number {
  if (results.some((r) => !r.ok)) return EXIT_USAGE
  return results.some(targetFailed) ? EXIT_TARGET_FAILED : EXIT_OK
}

/** A line cut at spaces to `width` columns; continuation lines hang under the line's second column (the text after
 *  the first run of two spaces, as in `help`'s list) or else two further than its own indent. */
export function wrapLine(line: string, width: number): string[] {
  if (width < 20 || line.length <= width) return [line]
  const lead = /^ */.exec(line)![0].length
  const column = /^ *\S.*?  +(?=\S)/.exec(line)?.[0].length
  const hang = ' '.repeat(column !== undefined && column <= width / 2 ? column : lead + 2)
  const out: string[] = []
  let rest = line
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width)
    if (cut <= (out.length === 0 ? lead : hang.length)) cut = width
    out.push(rest.slice(0, cut).trimEnd())
    rest = hang + rest.slice(cut).trimStart()
  }
  out.push(rest)
  return out
}
