// Repy's traceback text (tracebackrepy.format_exception): the frames of the program, outermost first, then the
// exception's type and message. Full and user tracebacks are the same here: no sandbox frame is ever on the stack.
// Each is bounded where it is made (a program can raise a 20 MB message, or recurse thousands of frames deep): the
// type and message are cut, only the outermost and innermost frames are kept, and the whole is cut last.
import { REPY_EXCEPTION_PARENTS } from '../../runtime/errors.js'
import { capText, MAX_REASON_CHARS } from '../../runtime/cap-text.js'
import type { PyRuntime } from './runtime.js'

const HEADER =
  '---\nFollowing is a full traceback, and a user traceback.\n' +
  'The user traceback excludes non-user modules. The most recent call is displayed last.\n\n'

const OUTER_FRAMES = 5
const INNER_FRAMES = 10
const MAX_NAME_CHARS = 256
const MAX_MESSAGE_CHARS = 1000

export function formatException(py: PyRuntime, exc: unknown): string {
  const frames = keptFrames(py.traceback(exc))
    .map((f) =>
      typeof f === 'number'
        ? `  ... ${f} more frames\n`
        : `  "${capText(f.file, MAX_NAME_CHARS)}", line ${f.line}, in ${capText(f.func, MAX_NAME_CHARS)}\n`,
    )
    .join('')
  return capText(
    `${HEADER}Full debugging traceback:\n${frames}\nUser traceback:\n${frames}\n${describeType(py, exc)}\n---`,
    MAX_REASON_CHARS - 64,
  )
}

/** What Repy prints to the log when a thread dies of an exception. */
export function uncaughtText(py: PyRuntime, exc: unknown): string {
  return capText(`---\nUncaught exception!\n${formatException(py, exc)}\n`)
}

type Frame = { file: string; func: string; line: number }
/** The outermost and innermost frames, and in between how many were left out. */
function keptFrames(frames: Frame[]): Array<Frame | number> {
  if (frames.length <= OUTER_FRAMES + INNER_FRAMES) return frames
  return [...frames.slice(0, OUTER_FRAMES), frames.length - OUTER_FRAMES - INNER_FRAMES, ...frames.slice(-INNER_FRAMES)]
}

function describeType(py: PyRuntime, exc: unknown): string {
  const summary = py.exceptionSummary(exc)
  const typeName = capText(summary.typeName, MAX_NAME_CHARS)
  const message = capText(summary.message, MAX_MESSAGE_CHARS)
  if (typeName in REPY_EXCEPTION_PARENTS) return `Exception (with class 'exception_hierarchy.${typeName}'): ${message}`
  if (typeName === 'RunBuiltinException') return `Unsafe call: ${message}`
  if (py.exceptionClass(typeName) !== undefined) return `Exception (with type 'exceptions.${typeName}'): ${message}`
  return `Exception (with class '${typeName}'): ${message}`
}
