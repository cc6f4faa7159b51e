// The Python 2 exception hierarchy, the Repy exceptions, and raise / catch / tracebacks.
import { REPY_EXCEPTION_PARENTS } from '../../runtime/errors.js'
import { PyType, PyInstance, EXC, T, isTuple, makeExc, pyErr, typeErr, tuple, type Frame } from './core.js'
import { newType, defMethods, typeName } from './classes.js'
import { str } from './format.js'

/** Python 2.7 builtin exceptions: [name, parent]. */
const PY_EXCEPTIONS: Array<[string, string | null]> = [
  ['BaseException', null],
  ['SystemExit', 'BaseException'],
  ['KeyboardInterrupt', 'BaseException'],
  ['GeneratorExit', 'BaseException'],
  ['Exception', 'BaseException'],
  ['StopIteration', 'Exception'],
  ['StandardError', 'Exception'],
  ['Warning', 'Exception'],
  ['BufferError', 'StandardError'],
  ['ArithmeticError', 'StandardError'],
  ['FloatingPointError', 'ArithmeticError'],
  ['OverflowError', 'ArithmeticError'],
  ['ZeroDivisionError', 'ArithmeticError'],
  ['AssertionError', 'StandardError'],
  ['AttributeError', 'StandardError'],
  ['EnvironmentError', 'StandardError'],
  ['IOError', 'EnvironmentError'],
  ['OSError', 'EnvironmentError'],
  ['WindowsError', 'OSError'],
  ['EOFError', 'StandardError'],
  ['ImportError', 'StandardError'],
  ['LookupError', 'StandardError'],
  ['IndexError', 'LookupError'],
  ['KeyError', 'LookupError'],
  ['MemoryError', 'StandardError'],
  ['NameError', 'StandardError'],
  ['UnboundLocalError', 'NameError'],
  ['ReferenceError', 'StandardError'],
  ['RuntimeError', 'StandardError'],
  ['NotImplementedError', 'RuntimeError'],
  ['SyntaxError', 'StandardError'],
  ['IndentationError', 'SyntaxError'],
  ['TabError', 'IndentationError'],
  ['SystemError', 'StandardError'],
  ['TypeError', 'StandardError'],
  ['ValueError', 'StandardError'],
  ['UnicodeError', 'ValueError'],
  ['UnicodeDecodeError', 'UnicodeError'],
  ['UnicodeEncodeError', 'UnicodeError'],
  ['UnicodeTranslateError', 'UnicodeError'],
  ['DeprecationWarning', 'Warning'],
  ['PendingDeprecationWarning', 'Warning'],
  ['RuntimeWarning', 'Warning'],
  ['SyntaxWarning', 'Warning'],
  ['UserWarning', 'Warning'],
  ['FutureWarning', 'Warning'],
  ['ImportWarning', 'Warning'],
  ['UnicodeWarning', 'Warning'],
  ['BytesWarning', 'Warning'],
  ['OverflowWarning', 'Warning'],
  // safe.py's internal family (not exported as builtins)
  ['SafeException', 'Exception'],
  ['CheckNodeException', 'SafeException'],
  ['CheckStrException', 'SafeException'],
  ['RunBuiltinException', 'SafeException'],
]
/** Exceptions that exist but are not builtins visible to the program. */
export const HIDDEN_EXCEPTIONS = new Set([
  'SafeException',
  'CheckNodeException',
  'CheckStrException',
  'RunBuiltinException',
  'GeneratorExit',
  'BufferError',
  'ImportWarning',
  'UnicodeWarning',
  'BytesWarning',
])

export function initExceptions(): void {
  const mk = (name: string, parent: string | null) => {
    const base = parent === null ? T.object : EXC.get(parent)!
    const t = newType(name, [base])
    t.isExc = true
    t.module = 'exceptions'
    EXC.set(name, t)
    return t
  }
  for (const [name, parent] of PY_EXCEPTIONS) mk(name, parent)
  for (const [name, parent] of Object.entries(REPY_EXCEPTION_PARENTS)) mk(name, parent ?? 'Exception')
  const base = EXC.get('BaseException')!
  base.alloc = (cls, args) => makeExc(cls, args)
  defMethods(base, {
    __init__: [
      (self: PyInstance, ...args: unknown[]) => {
        self.attrs.set('args', tuple(args))
        self.attrs.set('message', args.length === 1 ? args[0] : '')
        return null
      },
      0,
      Infinity,
    ],
  })
}

export function isExceptionInstance(x: unknown): x is PyInstance {
  return x instanceof PyInstance && x.cls.isExc
}

// --- thread state -----------------------------------------------------------------------------------------------
export const excState = {
  handled: null as unknown,
  onCatch: (_e: unknown): void => {},
}

export function raise(E: unknown, arg?: unknown): unknown {
  let inst: PyInstance
  if (E instanceof PyType && E.isExc) {
    if (arg !== undefined && arg instanceof PyInstance && arg.cls.isExc && arg.cls.mro.includes(E)) inst = arg
    else {
      const args = arg === undefined ? [] : isTuple(arg) ? arg.slice() : [arg]
      const r = construct(E, args)
      if (!(r instanceof PyInstance))
        throw typeErr('exceptions must be old-style classes or derived from BaseException, not ' + typeName(r))
      inst = r
    }
  } else if (isExceptionInstance(E)) {
    if (arg !== undefined && arg !== null) throw typeErr('instance exception may not have a separate value')
    inst = E
  } else {
    return typeErr(`exceptions must be old-style classes or derived from BaseException, not ${typeName(E)}`)
  }
  inst.frames = []
  return inst
}
import { construct as constructAny, runSync } from './calls.js'
function construct(E: PyType, args: unknown[]): unknown {
  return runSync(constructAny(E, args, null))
}

export function reraise(): unknown {
  const h = excState.handled
  if (h === null || h === undefined) {
    return typeErr('exceptions must be old-style classes or derived from BaseException, not NoneType')
  }
  return h
}

/** Converts what JavaScript caught to a Python exception, or returns `undefined` if it must not be caught. */
export function toPython(e: unknown): PyInstance | undefined {
  if (e instanceof PyInstance) return e
  if (!(e instanceof Error)) return undefined
  const name = e.name
  const msg = String(e.message ?? '')
  if (Object.prototype.hasOwnProperty.call(REPY_EXCEPTION_PARENTS, name)) {
    const x = pyErr(name, msg)
    x.frames = []
    return x
  }
  if (/out of memory/i.test(msg) && name !== 'RangeError') return undefined
  if (/stack overflow|call stack|too much recursion/i.test(msg)) {
    const x = pyErr('RuntimeError', 'maximum recursion depth exceeded')
    x.frames = []
    return x
  }
  const x = pyErr('SystemError', `${name}: ${msg}`)
  x.frames = []
  return x
}

export function catchExc(e: unknown, file: string, func: string, line: number): unknown {
  const x = toPython(e)
  if (x === undefined) throw e
  // The catching function is the traceback's last frame; if the exception later leaves it, frame() keeps this one.
  const frames = (x.frames ??= [])
  if (!isCaughtIn(frames, file, func)) frames.push({ file, func, line, caught: true })
  excState.handled = x
  excState.onCatch(x)
  return x
}

export function matches(exc: unknown, spec: unknown): boolean {
  if (!(exc instanceof PyInstance)) return false
  if (spec instanceof PyType) return exc.cls === spec || exc.cls.mro.includes(spec)
  if (isTuple(spec)) return spec.some((s) => matches(exc, s))
  return false
}

export function frame(e: unknown, file: string, func: string, line: number): unknown {
  const x = toPython(e)
  if (x === undefined) return e
  const frames = (x.frames ??= [])
  if (isCaughtIn(frames, file, func)) frames[frames.length - 1]!.caught = false
  else frames.push({ file, func, line, caught: false })
  return x
}

const isCaughtIn = (frames: Frame[], file: string, func: string): boolean => {
  const last = frames[frames.length - 1]
  return last !== undefined && last.caught && last.file === file && last.func === func
}

export function traceback(exc: unknown): Array<{ file: string; func: string; line: number }> {
  if (!(exc instanceof PyInstance) || exc.frames === undefined) return []
  return exc.frames.map(({ file, func, line }) => ({ file, func, line })).reverse()
}

export function exceptionSummary(exc: unknown): { typeName: string; message: string } {
  if (exc instanceof PyInstance) {
    let message: string
    try {
      message = str(exc)
    } catch {
      message = '<unprintable>'
    }
    return { typeName: exc.cls.name, message }
  }
  if (exc instanceof Error) return { typeName: exc.name, message: exc.message }
  return { typeName: typeof exc, message: String(exc) }
}

export { pyErr }
