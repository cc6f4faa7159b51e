// An error that is nobody's mistake: the user gets one line and where the details went, never a stack trace.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'

/** The exit code of a command that failed of an internal error (sysexits' EX_SOFTWARE). */
export const INTERNAL_ERROR_CODE = 70

/** Writes everything about `err` (stack, cause, properties) to a file in the temp folder and answers the line to
 *  print: `<what>: <message> (details in <file>)`. */
export function internalErrorLine(err: unknown, what = 'internal error'): string {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]
  const file = join(tmpdir(), `flotilla-error-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`)
  try {
    writeFileSync(file, `flotilla ${process.argv.slice(2).join(' ')}\n${inspect(err, { depth: 6 })}\n`)
    return `${what}: ${message} (details in ${file})`
  } catch {
    return `${what}: ${message}`
  }
}

/** A failed system call (EACCES, ENOSPC, EROFS…) on something the user named or controls: its message says it all. */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string'
}
