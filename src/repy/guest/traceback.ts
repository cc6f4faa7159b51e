// Repy's traceback text (tracebackrepy.format_exception): the frames of the program, outermost first, then the
// exception's type and message. Full and user tracebacks are the same here: no sandbox frame is ever on the stack.
import { REPY_EXCEPTION_PARENTS } from '../../runtime/errors.js'
import type { PyRuntime } from './runtime.js'

const HEADER = '---\nFollowing is a full traceback, and a user traceback.\n'
  + 'The user traceback excludes non-user modules. The most recent call is displayed last.\n\n'

export function formatException(py: PyRuntime, exc: unknown): string {
  const frames = py.traceback(exc).map((f) => `  "${f.file}", line ${f.line}, in ${f.func}\n`).join('')
  return `${HEADER}Full debugging traceback:\n${frames}\nUser traceback:\n${frames}\n${describeType(py, exc)}\n---`
}

/** What Repy prints to the log when a thread dies of an exception. */
export function uncaughtText(py: PyRuntime, exc: unknown): string {
  return `---\nUncaught exception!\n${formatException(py, exc)}\n`
}

function describeType(py: PyRuntime, exc: unknown): string {
  const { typeName, message } = py.exceptionSummary(exc)
  if (typeName in REPY_EXCEPTION_PARENTS) return `Exception (with class 'exception_hierarchy.${typeName}'): ${message}`
  if (typeName === 'RunBuiltinException') return `Unsafe call: ${message}`
  if (py.exceptionClass(typeName) !== undefined) return `Exception (with type 'exceptions.${typeName}'): ${message}`
  return `Exception (with class '${typeName}'): ${message}`
}
