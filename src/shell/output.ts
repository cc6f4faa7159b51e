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
      allOk: f.failed.length === 0, good: f.good, failed: f.failed, results: f.results, groups: f.groups, elapsedMs: f.elapsedMs,
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
