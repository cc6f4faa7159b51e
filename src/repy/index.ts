// Front end for Repy programs (.r2py, a restricted Python 2): parse, Repy's static safety check, compile to JS.
import { compileModule } from './compile.js'
import { parse } from './parser.js'
import { checkModule } from './safety.js'

import { RepyCodeError } from './errors.js'

export { RepyCodeError }

/** Checks and compiles a Repy program; the result is the text of the module function expression described in contract.ts.
 *  `source` is latin1-decoded (one char per byte). Throws RepyCodeError ('syntax' or 'unsafe'). */
export function compileRepy(source: string, filename: string): string {
  return tooDeep(() => {
    const module = parse(source.replace(/\r\n/g, '\n'))
    checkModule(module)
    return compileModule(module, filename)
  })
}

/** The parser and compiler recurse on nesting: code nested deeper than the host's stack is a syntax error too
 *  (Python's own parser gives up far earlier, at about 100 levels). */
function tooDeep<T>(work: () => T): T {
  try {
    return work()
  } catch (err) {
    if (err instanceof RangeError) throw new RepyCodeError('syntax', 0, 'the code is nested too deeply to compile')
    throw err
  }
}
